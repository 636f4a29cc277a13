"""One domain error for every app's refusals, shown the same way on every page."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from accounts.services import AccountError
from calls.services import CallError
from customers.importing import ImportFileError as CustomerImportError
from invoicing.services import InvoicingError
from orders.importing import ImportFileError as CatalogueImportError
from orders.importing import RowError
from orders.services import OfferError
from planner.services import PlannerError
from quotes.services import QuoteError
from service_portal.errors import DomainError, show_error


class _Form(forms.Form):
    quantity = forms.IntegerField()


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(
    "error_class",
    [
        AccountError,
        CallError,
        CustomerImportError,
        CatalogueImportError,
        InvoicingError,
        OfferError,
        PlannerError,
        QuoteError,
        RowError,
    ],
)
def test_every_app_refuses_with_the_domain_error(error_class):
    error = error_class("Not now.")
    assert isinstance(error, DomainError)
    assert (error.message, error.messages, str(error)) == ("Not now.", ["Not now."], "Not now.")


def test_several_sentences_are_kept_apart_and_read_as_one():
    error = QuoteError(["The quantity is missing.", "The rate is inactive."])
    assert error.messages == ["The quantity is missing.", "The rate is inactive."]
    assert error.message == str(error) == "The quantity is missing. The rate is inactive."


def test_a_lazy_translation_is_one_sentence_in_the_language_of_the_moment():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    with translation.override("it"):
        error = CustomerImportError(gettext_lazy("Upload a .csv or .xlsx file."))
    assert error.messages == [error.message] and error.message.startswith("Carica")


def test_an_error_about_a_field_is_shown_on_that_field_and_the_typing_is_kept():
    form = _Form({"quantity": "7"})
    assert form.is_valid()
    show_error(_request(), DomainError("Too many.", field="quantity"), form)
    assert form.errors == {"quantity": ["Too many."]}
    assert form["quantity"].value() == "7"


def test_an_error_without_a_field_of_the_form_is_shown_above_the_fields():
    form = _Form({"quantity": "7"})
    form.is_valid()
    show_error(_request(), RowError("Unknown VAT rate.", "VAT"), form)
    assert form.non_field_errors() == ["Unknown VAT rate."]


def test_without_a_form_the_error_is_a_message_on_the_next_page():
    request = _request()
    show_error(request, QuoteError(["Confirmed quotes are frozen.", "Make a revision."]), None)
    shown = [(m.level_tag, str(m)) for m in get_messages(request)]
    assert shown == [("error", "Confirmed quotes are frozen. Make a revision.")]
