"""The ERP records payments through the API: idempotent by its own code, refused like on the
portal (overpayment, unknown or draft invoice), scoped (issue 18)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from api.models import Scope
from invoicing import payments, services
from invoicing.models import Payment, PaymentSource
from tests.factories import make_user
from tests.invoicing.factories import make_verified_call

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/by-code/{}/"


@pytest.fixture
def invoice():
    admin = make_user("boss", Role.ADMINISTRATOR)
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    return services.issue(invoice=draft, acting_user=admin)


def _body(invoice, amount="50.00", **fields):
    return {
        "invoice_number": invoice.code,
        "date": timezone.localdate().isoformat(),
        "amount": amount,
        "method": "MP05",
        "reference": "TRN 42",
        **fields,
    }


def test_the_same_payment_sent_twice_is_recorded_once(api, invoice):
    first = api.put(URL.format("PAY-1"), _body(invoice), format="json")
    assert first.status_code == 201 and first["X-Upsert-Action"] == "created"
    again = api.put(URL.format("PAY-1"), _body(invoice), format="json")
    assert again.status_code == 200 and again["X-Upsert-Action"] == "unchanged"
    assert again.json()["id"] == first.json()["id"]
    payment = Payment.objects.get()
    assert payment.source == PaymentSource.API and payment.recorded_by is None
    assert payments.Balance(invoice).status == payments.PaymentStatus.PARTLY_PAID
    assert api.get(URL.format("PAY-1")).json()["invoice_number"] == invoice.code
    listed = api.get("/api/v1/payments/").json()["results"]
    assert [p["external_code"] for p in listed] == ["PAY-1"]


def test_a_different_payment_under_a_used_code_is_a_conflict(api, invoice):
    api.put(URL.format("PAY-1"), _body(invoice), format="json")
    response = api.put(URL.format("PAY-1"), _body(invoice, amount="60.00"), format="json")
    assert response.status_code == 409 and Payment.objects.count() == 1


def test_refusals_name_the_field_and_record_nothing(api, invoice):
    too_much = api.put(
        URL.format("PAY-2"), _body(invoice, amount=str(invoice.total + 1)), format="json"
    )
    assert too_much.status_code == 400
    assert "exceeds what is still due" in too_much.json()["amount"][0]
    unknown = api.put(
        URL.format("PAY-3"), _body(invoice, invoice_number="1999/9999"), format="json"
    )
    assert unknown.status_code == 400 and "invoice_number" in unknown.json()
    bad_method = api.put(URL.format("PAY-4"), _body(invoice, method="MP99"), format="json")
    assert bad_method.status_code == 400 and "method" in bad_method.json()
    assert api.put(URL.format("bad code!"), _body(invoice), format="json").status_code == 400
    assert not Payment.objects.exists()


def test_recording_needs_the_payments_scope(api_for, invoice):
    reader = api_for(Scope.INVOICES_READ)
    assert reader.put(URL.format("PAY-1"), _body(invoice), format="json").status_code == 403
    assert reader.get("/api/v1/payments/").status_code == 200
    writer = api_for(Scope.PAYMENTS_WRITE)
    assert writer.put(URL.format("PAY-1"), _body(invoice), format="json").status_code == 201
    assert writer.get("/api/v1/payments/").status_code == 403


def test_an_invoice_shows_its_payment_term_and_due_dates(api, invoice):
    data = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert data["payment_term"] == invoice.payment_terms.name
    assert [Decimal(d["amount"]) for d in data["due_dates"]] == [invoice.total]
