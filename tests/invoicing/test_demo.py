"""Invoicing demo data: issued invoices (one per VAT case), a verified call waiting, a done one in
the queue."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from calls.models import Intervention, State
from customers.fiscal import VatRegime
from invoicing import selectors
from invoicing.demo import VAT_CASES
from invoicing.models import Invoice, InvoiceState


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
    assert selectors.billable_calls()  # a verified call waiting to be invoiced
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert Invoice.objects.count() == len(invoices)
