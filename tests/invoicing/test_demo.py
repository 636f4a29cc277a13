"""Invoicing demo data: one issued invoice, a verified call waiting, a done one in the queue."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.models import Intervention, State
from invoicing import selectors
from invoicing.models import Invoice, InvoiceState


@pytest.mark.django_db
def test_demo_makes_an_issued_invoice_and_is_idempotent():
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    invoice = Invoice.objects.get()
    assert invoice.state == InvoiceState.ISSUED and invoice.total > 0
    assert invoice.lines.exists()
    assert Intervention.objects.filter(state=State.DONE).exists()  # still one to verify
    assert selectors.billable_calls()  # a verified call waiting to be invoiced
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert Invoice.objects.count() == 1


@pytest.mark.django_db
def test_demo_has_payment_terms_a_partial_payment_and_an_overdue_invoice():
    from invoicing import payments
    from invoicing.models import Payment
    from service_portal.models import CompanyProfile, PaymentTerm

    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert CompanyProfile.objects.get().default_payment_term.days == "30"
    assert PaymentTerm.objects.filter(days="30,60", end_of_month=True).exists()
    invoice = Invoice.objects.get()
    assert invoice.due_dates.exists() and Payment.objects.count() == 1
    balance = payments.Balance(invoice)
    assert balance.status == payments.PaymentStatus.PARTLY_PAID
    assert list(payments.open_items()) == [invoice]
    if timezone.localdate().timetuple().tm_yday > 75:  # dated back within its year
        assert payments.overdue_total() > 0 and invoice.issue_date < timezone.localdate()
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert Payment.objects.count() == 1 and PaymentTerm.objects.count() == 5
