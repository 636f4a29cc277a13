"""Hostile input on final verification and invoicing: no 500, a message, nothing half-saved;
markup in customer data stays text in the pages and the invoice PDF."""

from __future__ import annotations

import io
import uuid

import pytest
from django.urls import reverse
from hypothesis import given
from pypdf import PdfReader

from calls.models import Intervention, State
from invoicing import services
from invoicing.models import Correction, Invoice, InvoiceLine
from tests.calls.factories import make_call
from tests.factories import make_customer, make_site, make_unit
from tests.hostile import HYPOTHESIS, IMG, MARKUP, NASTY, SCRIPT, row_counts
from tests.invoicing.factories import make_done_intervention, make_verified_call

pytestmark = pytest.mark.django_db


@HYPOTHESIS
@given(kind=NASTY, quantity=NASTY, amount=NASTY, reason=NASTY)
def test_corrections_take_anything(admin_client_, kind, quantity, amount, reason):
    intervention = make_done_intervention()
    before = row_counts(Correction)
    response = admin_client_.post(
        reverse("invoicing:correction_add", args=[intervention.pk]),
        {"kind": kind, "quantity": quantity, "amount": amount, "reason": reason},
    )
    assert response.status_code in (200, 302)
    expected = before["invoicing.Correction"] + (response.status_code == 302)
    assert Correction.objects.count() == expected


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "labour", "quantity": "-1"},
        {"kind": "labour", "quantity": "1" + "0" * 12},
        {"kind": "labour", "quantity": "NaN"},
        {"kind": "km", "amount": "-0.01"},
        {"kind": "km", "amount": "1e309"},
        {"kind": "nonsense", "quantity": "1"},
    ],
    ids=repr,
)
def test_impossible_corrections_are_refused_with_a_message(admin_client_, values):
    intervention = make_done_intervention()
    response = admin_client_.post(
        reverse("invoicing:correction_add", args=[intervention.pk]),
        {"reason": "Because", **values},
    )
    assert response.status_code == 200
    assert response.context["correction_form"].errors
    assert not Correction.objects.exists()


@pytest.mark.parametrize(
    "calls", [["x"], ["-1"], ["9" * 30], [SCRIPT], [], ["1", "1", "1"], ["0"]], ids=repr
)
def test_drafting_an_invoice_from_garbage_ids_creates_nothing(admin_client_, calls):
    make_verified_call()
    before = row_counts(Invoice, InvoiceLine)
    response = admin_client_.post(reverse("invoicing:billable_calls"), {"calls": calls})
    assert response.status_code in (200, 302)
    if calls != ["1", "1", "1"]:
        assert row_counts(Invoice, InvoiceLine) == before


def test_calls_that_are_not_billable_or_of_two_customers_make_no_draft(admin_client_):
    verified = make_verified_call()
    other_customer = make_verified_call()
    not_verified = make_done_intervention().call
    before = row_counts(Invoice, InvoiceLine)
    for calls in ([verified.pk, other_customer.pk], [verified.pk, not_verified.pk]):
        response = admin_client_.post(
            reverse("invoicing:billable_calls"), {"calls": calls}, follow=True
        )
        assert response.status_code == 200
        assert "alert-danger" in response.content.decode()
    assert row_counts(Invoice, InvoiceLine) == before
    assert Intervention.objects.get(call=not_verified).state == State.DONE


def test_a_double_submitted_draft_makes_one_invoice(admin_client_):
    call = make_verified_call()
    admin_client_.post(reverse("invoicing:billable_calls"), {"calls": [call.pk]})
    admin_client_.post(reverse("invoicing:billable_calls"), {"calls": [call.pk]})
    assert Invoice.objects.count() == 1


@HYPOTHESIS
@given(reason=NASTY)
def test_credit_notes_and_send_back_take_any_reason(admin_client_, administrator, reason):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=administrator)
    invoice = services.issue(invoice=draft, acting_user=administrator)
    response = admin_client_.post(
        reverse("invoicing:credit_note", args=[invoice.pk]),
        {"reason": reason, "submission_token": str(uuid.uuid4())},
    )
    # a blank reason shows the form again with its error
    assert response.status_code in (200, 302)
    intervention = make_done_intervention()
    response = admin_client_.post(
        reverse("invoicing:send_back", args=[intervention.pk]), {"reason": reason}
    )
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("value", ["x" * 5000, "9" * 30, "-1", "\x00", "2026-02-30", MARKUP])
def test_invoice_filters_take_anything(admin_client_, value):
    for param in ("number", "customer", "state", "date_from", "date_to", "page", "q", "sort"):
        for name in ("invoicing:invoice_list", "invoicing:verification_list"):
            response = admin_client_.get(reverse(name), {param: value})
            assert response.status_code in (200, 404), (name, param)
            assert SCRIPT not in response.content.decode()
        response = admin_client_.get(reverse("invoicing:export_csv"), {param: value})
        assert response.status_code == 200


def test_markup_in_customer_data_is_text_in_pages_and_the_invoice(admin_client_, administrator):
    customer = make_customer(name=MARKUP, address=MARKUP)
    call = make_call(unit=make_unit(make_site(customer, name=MARKUP)), description=MARKUP)
    verified = make_verified_call(call=call)
    draft = services.create_draft(calls=[verified], acting_user=administrator)
    for url in (
        reverse("invoicing:billable_calls"),
        reverse("invoicing:invoice_list"),
        draft.get_absolute_url(),
    ):
        body = admin_client_.get(url).content.decode()
        assert SCRIPT not in body and IMG not in body, url
    invoice = services.issue(invoice=draft, acting_user=administrator)
    pdf = admin_client_.get(reverse("invoicing:invoice_pdf", args=[invoice.pk])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert SCRIPT in text.replace("\n", "")
