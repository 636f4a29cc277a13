"""Payment terms, due dates, payments and the open items (issue 18, item 6)."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from invoicing import credits, documents, payments, selectors, services
from invoicing.models import InvoiceDueDate, Payment
from service_portal.models import CompanyProfile, PaymentMethod, PaymentTerm
from service_portal.payment_terms import due_date, due_dates, instalments, parse_days
from tests.factories import make_user
from tests.invoicing.factories import make_verified_call

pytestmark = pytest.mark.django_db
D = datetime.date


# --- The end-of-month rule and the instalments (no database) --------------------------------
@pytest.mark.parametrize(
    ("issued", "days", "eom", "expected"),
    [
        (D(2026, 1, 31), 30, True, D(2026, 2, 28)),  # one month later, never in March
        (D(2026, 1, 31), 30, False, D(2026, 3, 2)),
        (D(2026, 1, 15), 60, True, D(2026, 3, 31)),
        (D(2026, 11, 30), 60, True, D(2027, 1, 31)),  # across the year
        (D(2027, 12, 31), 90, True, D(2028, 3, 31)),
        (D(2028, 1, 31), 30, True, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 10), 0, True, D(2026, 1, 31)),  # end of the invoice's month
        (D(2026, 1, 10), 0, False, D(2026, 1, 10)),  # immediate
        (D(2026, 1, 20), 45, True, D(2026, 3, 31)),  # not whole months: days, then month end
    ],
)
def test_due_dates_follow_the_end_of_month_rule(issued, days, eom, expected):
    assert due_date(issued, days, end_of_month=eom) == expected


def test_instalments_add_up_and_the_last_takes_the_remainder():
    assert instalments(Decimal("100.00"), 3) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    assert instalments(Decimal("0.05"), 2) == [Decimal("0.03"), Decimal("0.02")]
    rows = due_dates(D(2026, 1, 31), Decimal("1000.01"), days="30,60", end_of_month=True)
    assert rows == [(D(2026, 2, 28), Decimal("500.01")), (D(2026, 3, 31), Decimal("500.00"))]
    assert sum(amount for _date, amount in rows) == Decimal("1000.01")


@pytest.mark.parametrize("bad", ["", "30,", "60,30", "30,30", "-30", "thirty", "30;60", "999"])
def test_a_term_with_bad_days_is_refused(bad):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        parse_days(bad)


# --- Issue freezes the term and its due dates -----------------------------------------------
@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


def _term(name="30-60 days end of month", days="30,60", eom=True, **fields):
    return PaymentTerm.objects.create(
        name=name, days=days, end_of_month=eom, method=PaymentMethod.RIBA, **fields
    )


def _issued(admin, customer_term=None):
    call = make_verified_call()
    if customer_term is not None:
        call.customer.payment_term = customer_term
        call.customer.save()
    draft = services.create_draft(calls=[call], acting_user=admin)
    return services.issue(invoice=draft, acting_user=admin)


def test_issue_freezes_the_customers_term_and_splits_the_total(admin):
    invoice = _issued(admin, _term())
    terms = invoice.payment_terms
    assert terms.name == "30-60 days end of month" and terms.method == PaymentMethod.RIBA
    rows = list(invoice.due_dates.all())
    assert len(rows) == 2
    assert sum(r.amount for r in rows) == invoice.total == terms.payable
    assert rows[0].due_date == due_date(invoice.issue_date, 30, end_of_month=True)
    # a later change of the term does not move the frozen due dates
    PaymentTerm.objects.update(days="90", end_of_month=False)
    assert [r.due_date for r in invoice.due_dates.all()] == [r.due_date for r in rows]


def test_without_a_customer_term_the_company_default_applies_else_immediate(admin):
    assert list(_issued(admin).due_dates.values_list("position", flat=True)) == [1]
    immediate = _issued(admin)
    assert immediate.due_dates.get().due_date == immediate.issue_date
    profile = CompanyProfile.objects.get()
    profile.default_payment_term = _term(name="30 days", days="30", eom=False)
    profile.save()
    invoice = _issued(admin)
    assert invoice.payment_terms.name == "30 days"
    assert invoice.due_dates.get().due_date == invoice.issue_date + datetime.timedelta(days=30)


def test_the_pdf_prints_the_term_and_the_due_dates(admin):
    invoice = _issued(admin, _term(name_it="30-60 gg fine mese"))
    pdf = documents.invoice_pdf(selectors.invoice_document(invoice.pk))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "30-60 gg fine mese" in text  # the customer's language (Italian)
    for row in invoice.due_dates.all():
        assert row.due_date.strftime("%d/%m/%Y") in text


# --- Payments and states --------------------------------------------------------------------
def _pay(invoice, admin, amount, **kwargs):
    return payments.record_payment(
        invoice=invoice,
        date=kwargs.pop("date", timezone.localdate()),
        amount=Decimal(amount),
        method=kwargs.pop("method", PaymentMethod.BANK_TRANSFER),
        acting_user=admin,
        **kwargs,
    )


def test_an_invoice_is_open_then_partly_paid_then_paid(admin):
    invoice = _issued(admin)
    assert payments.Balance(invoice).status == payments.PaymentStatus.OPEN
    _pay(invoice, admin, "10.00")
    balance = payments.Balance(invoice)
    assert balance.status == payments.PaymentStatus.PARTLY_PAID
    assert balance.outstanding == invoice.total - Decimal("10.00")
    _pay(invoice, admin, str(balance.outstanding))
    assert payments.Balance(invoice).status == payments.PaymentStatus.PAID
    assert payments.Balance(invoice).outstanding == 0
    invoice.refresh_from_db()  # the issued row was never written again
    assert invoice.is_issued and invoice.history.count() == 1


def test_an_overpayment_is_refused_and_nothing_is_recorded(admin):
    invoice = _issued(admin)
    with pytest.raises(payments.PaymentError) as refused:
        _pay(invoice, admin, str(invoice.total + Decimal("0.01")))
    assert refused.value.field == "amount" and "exceeds what is still due" in refused.value.message
    assert not Payment.objects.exists()


def test_a_payment_on_a_draft_or_a_credit_note_is_refused(admin):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    with pytest.raises(payments.PaymentError, match="issued invoices only"):
        _pay(draft, admin, "1.00")
    invoice = _issued(admin)
    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Wrong")
    with pytest.raises(payments.PaymentError, match="issued invoices only"):
        _pay(note, admin, "1.00")
    assert not Payment.objects.exists()


def test_a_payment_dated_in_the_future_is_refused(admin):
    invoice = _issued(admin)
    with pytest.raises(payments.PaymentError, match="future"):
        _pay(invoice, admin, "1.00", date=timezone.localdate() + datetime.timedelta(days=1))


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.TECHNICIAN])
def test_operators_and_technicians_may_not_record_payments(admin, role):
    invoice = _issued(admin)
    with pytest.raises(payments.PaymentRoleRefused):
        _pay(invoice, make_user(None, role), "1.00")
    assert not Payment.objects.exists()


def test_a_credit_note_reduces_what_is_due(admin):
    invoice = _issued(admin)
    credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Wrong customer")
    balance = payments.Balance(invoice)
    assert balance.credited == invoice.total and balance.outstanding == 0
    assert balance.status == payments.PaymentStatus.CREDITED
    assert invoice.pk not in {i.pk for i in payments.open_items()}
    with pytest.raises(payments.PaymentError, match="exceeds"):
        _pay(invoice, admin, "1.00")


def test_overdue_amounts_and_the_open_items(admin):
    invoice = _issued(admin, _term(days="30,60", eom=False))
    first, second = invoice.due_dates.all()
    before, between, after = (
        first.due_date,
        first.due_date + datetime.timedelta(days=1),
        second.due_date + datetime.timedelta(days=1),
    )
    assert payments.overdue_total(today=before) == 0
    assert payments.overdue_total(today=between) == first.amount
    assert payments.overdue_total(today=after) == invoice.total
    _pay(invoice, admin, "10.00")  # settles the earliest instalment first
    assert payments.overdue_total(today=between) == first.amount - Decimal("10.00")
    row = payments.open_items(today=after).get()
    assert row.outstanding == row.overdue == invoice.total - Decimal("10.00")
    _pay(invoice, admin, str(row.outstanding))
    assert not payments.open_items(today=after).exists()
    assert payments.overdue_total(today=after) == 0


# --- Pages ----------------------------------------------------------------------------------
def test_the_invoice_page_records_a_payment_and_keeps_the_data_on_a_refusal(
    admin_client_, administrator
):
    invoice = _issued(administrator)
    url = reverse("invoicing:payment_add", args=[invoice.pk])
    data = {
        "submission_token": str(uuid.uuid4()),
        "date": timezone.localdate().isoformat(),
        "amount": str(invoice.total + 1),
        "method": PaymentMethod.CASH,
        "reference": "CRO 1234",
    }
    response = admin_client_.post(url, data)
    assert response.status_code == 200 and not Payment.objects.exists()
    page = response.content.decode()
    assert "exceeds what is still due" in page and "CRO 1234" in page
    data.update(submission_token=str(uuid.uuid4()), amount="20.00")
    assert admin_client_.post(url, data).status_code == 302
    assert admin_client_.post(url, data).status_code == 302  # the same form twice: one row
    assert Payment.objects.get().amount == Decimal("20.00")
    page = admin_client_.get(invoice.get_absolute_url()).content.decode()
    assert "Partly paid" in page and "CRO 1234" in page


def test_the_payment_form_on_a_draft_is_refused(admin_client_, administrator):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=administrator)
    response = admin_client_.post(
        reverse("invoicing:payment_add", args=[draft.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "date": timezone.localdate().isoformat(),
            "amount": "1",
            "method": PaymentMethod.CASH,
        },
    )
    assert response.status_code == 302 and not Payment.objects.exists()


def test_operators_and_technicians_get_403_on_payments_and_open_items(
    administrator, operator_client, technician_client
):
    invoice = _issued(administrator)
    for client in (operator_client, technician_client):
        assert client.get(reverse("invoicing:open_items")).status_code == 403
        response = client.post(
            reverse("invoicing:payment_add", args=[invoice.pk]),
            {"amount": "1", "date": "2026-01-01", "method": "MP01"},
        )
        assert response.status_code == 403
    assert not Payment.objects.exists()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_open_items_cost_the_same_with_more_invoices_and_filter(admin_client_, administrator):
    url = reverse("invoicing:open_items")
    first = _issued(administrator, _term())
    _pay(first, administrator, "5.00")
    few = _count(admin_client_, url)
    for _ in range(4):
        _pay(_issued(administrator, _term(name="Other")), administrator, "1.00")
    assert _count(admin_client_, url) == few
    page = admin_client_.get(url).content.decode()
    assert page.count('data-testid="open-item"') == 5
    filtered = admin_client_.get(url, {"customer": first.customer.name, "overdue": "on"})
    assert filtered.status_code == 200
    assert 'data-testid="open-item"' not in filtered.content.decode()  # nothing overdue yet
    InvoiceDueDate.objects.filter(invoice=first).update(
        due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    filtered = admin_client_.get(url, {"customer": first.customer.name, "overdue": "on"})
    assert filtered.content.decode().count('data-testid="open-item"') == 1


def test_the_invoice_page_costs_the_same_with_more_payments(admin_client_, administrator):
    invoice = _issued(administrator, _term())
    _pay(invoice, administrator, "1.00")
    one = _count(admin_client_, invoice.get_absolute_url())
    for _ in range(3):
        _pay(invoice, administrator, "1.00")
    assert _count(admin_client_, invoice.get_absolute_url()) == one


def test_the_dashboard_shows_administrators_the_overdue_amount(
    admin_client_, administrator, operator_client
):
    invoice = _issued(administrator)
    InvoiceDueDate.objects.filter(invoice=invoice).update(
        due_date=timezone.localdate() - datetime.timedelta(days=10)
    )
    _pay(invoice, administrator, "10.00")
    page = admin_client_.get(reverse("dashboard:home")).content.decode()
    assert 'data-testid="overdue-figure"' in page
    assert payments.overdue_total() == invoice.total - Decimal("10.00")
    assert (
        'data-testid="overdue-figure"'
        not in operator_client.get(reverse("dashboard:home")).content.decode()
    )


def test_the_company_page_and_the_customer_form_offer_only_active_terms(
    admin_client_, administrator
):
    from tests.service_portal.test_company_profile import VALID

    active, retired = _term(name="Active term"), _term(name="Retired term", is_active=False)
    CompanyProfile.objects.all().delete()
    response = admin_client_.post(
        reverse("company_profile"), {**VALID, "default_payment_term": retired.pk}
    )
    assert response.status_code == 200 and not CompanyProfile.objects.exists()
    page = admin_client_.get(reverse("company_profile")).content.decode()
    assert "Active term" in page and "Retired term" not in page
    response = admin_client_.post(
        reverse("company_profile"), {**VALID, "default_payment_term": active.pk}
    )
    assert response.status_code == 302
    assert CompanyProfile.objects.get().default_payment_term == active
    customer = make_verified_call().customer
    page = admin_client_.get(reverse("customers:customer_update", args=[customer.pk]))
    assert "Active term" in page.content.decode()
    assert "Retired term" not in page.content.decode()
