"""Invoicing demo data: issued invoices (one per VAT case), a verified call waiting, a done one in
the queue."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.models import Intervention, State
from customers.fiscal import VatRegime
from invoicing import billing, selectors
from invoicing.demo import VAT_CASES
from invoicing.models import Invoice, InvoiceState, LineKind
from quotes.models import PriceList


@pytest.mark.django_db
def test_demo_issues_an_invoice_for_each_vat_case_and_is_idempotent():
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    invoices = list(Invoice.objects.order_by("pk"))
    assert len(invoices) == 1 + len(VAT_CASES)
    assert all(
        i.state == InvoiceState.ISSUED and i.total > 0 and i.lines.exists() for i in invoices
    )
    cases = {
        ("pa" if i.customer_is_public_administration else i.customer_vat_regime) for i in invoices
    }
    assert {VatRegime.ITALIAN, VatRegime.EU_BUSINESS, VatRegime.NON_EU, "pa"} <= cases
    public = next(i for i in invoices if i.customer_is_public_administration)
    assert public.split_payment and len(public.customer_sdi_code) == 6
    eu = next(i for i in invoices if i.customer_vat_regime == VatRegime.EU_BUSINESS)
    assert eu.vat == 0 and {"N2.1", "N3.2"} <= set(eu.lines.values_list("vat_natura", flat=True))
    assert Intervention.objects.filter(state=State.DONE).exists()  # still one to verify
    # The one waiting has a quote with an "other" line (waste-oil disposal), billed as quoted,
    # and every price says where it came from; a customer has its own price list.
    waiting = Intervention.objects.get(state=State.DONE)
    lines = selectors.bills_for([waiting])[0].lines
    other = next(line for line in lines if line.kind == LineKind.OTHER)
    assert other.amount == Decimal("22.50") and str(other.source).startswith("quote ")
    services = [line for line in lines if line.kind != LineKind.PARTS]
    assert all(line.source or billing.NOTE_NO_RATE in line.notes for line in services)
    assert PriceList.objects.filter(customer__isnull=False).exists()
    assert PriceList.objects.filter(is_default=True).count() == 1
    assert selectors.billable_calls()  # a verified call waiting to be invoiced
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert Invoice.objects.count() == len(invoices)


@pytest.mark.django_db
def test_demo_has_payment_terms_a_partial_payment_and_an_overdue_invoice():
    from invoicing import payments
    from invoicing.models import Payment
    from service_portal.models import CompanyProfile, PaymentTerm

    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert CompanyProfile.objects.get().default_payment_term.days == "30"
    assert PaymentTerm.objects.filter(days="30,60", end_of_month=True).exists()
    invoice = Payment.objects.get().invoice
    assert invoice.due_dates.exists() and Payment.objects.count() == 1
    balance = payments.Balance(invoice)
    assert balance.status == payments.PaymentStatus.PARTLY_PAID
    assert invoice in list(payments.open_items())
    if timezone.localdate().timetuple().tm_yday > 75:  # dated back within its year
        oldest = Invoice.objects.order_by("pk").first()
        assert payments.overdue_total() > 0 and oldest.issue_date < timezone.localdate()
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert Payment.objects.count() == 1 and PaymentTerm.objects.count() == 5
