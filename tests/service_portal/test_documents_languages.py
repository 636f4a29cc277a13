"""Every document and its e-mail in the customer's language, with that language's formats.

Each document is rendered in the five languages and read back with pypdf: amounts follow the
language's convention (docs/i18n.md), dates its short format, labels its catalogue. The check
for English text left in a document needs the German, French and Spanish catalogues: until they
are merged those languages are skipped (the Italian one runs now).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from calls.documents import report_pdf
from invoicing import services as invoicing
from invoicing.documents import invoice_pdf
from orders import services as orders
from orders.documents import offer_pdf
from quotes.models import RateKind
from tests.factories import make_customer
from tests.i18n_check import leftovers_in_text
from tests.invoicing.factories import make_quote, make_verified_call
from tests.orders.factories import make_draft, make_part, make_terms

pytestmark = pytest.mark.django_db

LANGUAGES = ["it", "en", "de", "fr", "es"]
NBSP = "\xa0"
# 1234.56 in each language (see service_portal/templatetags/portal_format.py).
MONEY = {
    "it": f"1.234,56{NBSP}€",
    "en": "€1,234.56",
    "de": f"1.234,56{NBSP}€",
    "fr": f"1{NBSP}234,56{NBSP}€",
    "es": f"1{NBSP}234,56{NBSP}€",
}
SHORT_DATE = {
    "it": "%d/%m/%Y",
    "en": "%d/%m/%Y",
    "de": "%d.%m.%Y",
    "fr": "%d/%m/%Y",
    "es": "%d/%m/%Y",
}


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _date(day: datetime.date, language: str) -> str:
    return day.strftime(SHORT_DATE[language])


def _label(msgid: str, language: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def _offer(operator, language):
    part = make_part("FLT-1", description_it="Filtro olio", list_price=Decimal("1234.56"))
    offer = make_draft(operator, parts=[part], language=language)
    orders.update_offer_terms(offer=offer, acting_user=operator, delivery_days=7, **make_terms())
    offer.refresh_from_db()
    return offer


def _quote(language, price="1234.56"):
    """A quote written for the customer: its lines are in the customer's language."""
    with translation.override(language):
        quote = make_quote(
            make_customer(language=language), lines=[(RateKind.LABOUR_HOUR, "1", price)]
        )
    quote.price_list_name = "2026"
    quote.save(update_fields=["price_list_name"])
    return quote


def _verified_call(language):
    with translation.override(language):
        call = make_verified_call()
    call.customer.language = language
    call.customer.save()
    return call


def _invoice(administrator, language, capture):
    call = _verified_call(language)
    call.customer.language = language
    call.customer.email = "accounts@customer.example"
    call.customer.save()
    draft = invoicing.create_draft(calls=[call], acting_user=administrator)
    with capture(execute=True):
        return invoicing.issue(invoice=draft, acting_user=administrator)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offer_speaks_the_customers_language(operator, language):
    offer = _offer(operator, language)
    text = _text(offer_pdf(offer))
    assert MONEY[language] in text  # the unit price
    assert _date(timezone.localdate(), language) in text
    assert _label("Unit price", language) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offer_email_speaks_the_customers_language(
    operator, language, django_capture_on_commit_callbacks
):
    offer = _offer(operator, language)
    with django_capture_on_commit_callbacks(execute=True):
        orders.send_offer(offer=offer, acting_user=operator)
    message = mail.outbox[-1]
    assert message.extra_headers["Content-Language"] == language
    with translation.override(language):
        assert offer.code in message.subject
    assert MONEY[language] in _text(message.attachments[0][1])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_quote_speaks_the_customers_language(operator_client, language):
    quote = _quote(language)
    response = operator_client.get(reverse("quotes:quote_pdf", args=[quote.pk]))
    text = _text(response.content)
    assert MONEY[language] in text
    assert _date(timezone.localdate(), language) in text
    assert _label("Taxable amount", language) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_speaks_the_customers_language(language):
    call = _verified_call(language)
    intervention = call.interventions.get(number=1)
    text = _text(report_pdf(intervention))
    meal = {"it": "15,50", "en": "€15.50", "de": "15,50", "fr": "15,50", "es": "15,50"}
    assert meal[language] in text
    assert _date(datetime.date(2026, 11, 20), language) in text  # the day of the hours
    assert _label("Intervention report", language) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_invoice_and_its_email_speak_the_customers_language(
    administrator, language, django_capture_on_commit_callbacks
):
    invoice = _invoice(administrator, language, django_capture_on_commit_callbacks)
    assert invoice.language == language
    total = {
        "it": "512,73",
        "en": "€512.73",
        "de": "512,73",
        "fr": "512,73",
        "es": "512,73",
    }[language]
    text = _text(invoice_pdf(invoice))
    assert total in text
    assert _date(invoice.issue_date, language) in text
    message = mail.outbox[-1]
    assert message.extra_headers["Content-Language"] == language
    assert total in message.body
    assert _label("Total", language) in message.body


@pytest.mark.parametrize(
    "language",
    [code for code in LANGUAGES if code != "en"],
)
def test_no_english_text_is_left_in_the_documents(
    operator, administrator, operator_client, language, django_capture_on_commit_callbacks
):
    texts = {"offer": _text(offer_pdf(_offer(operator, language)))}
    quote = _quote(language, "58.00")
    pdf = operator_client.get(reverse("quotes:quote_pdf", args=[quote.pk])).content
    texts["quote"] = _text(pdf)
    invoice = _invoice(administrator, language, django_capture_on_commit_callbacks)
    texts["invoice"] = _text(invoice_pdf(invoice))
    texts["invoice e-mail"] = mail.outbox[-1].subject + "\n" + mail.outbox[-1].body
    reported = _verified_call(language)
    texts["report"] = _text(report_pdf(reported.interventions.get(number=1)))
    found = {name: leftovers_in_text(text, language) for name, text in texts.items()}
    assert not any(found.values()), found
