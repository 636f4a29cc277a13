"""Invoicing demo data: one issued invoice, a verified call waiting, a done one in the queue."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from calls.models import Intervention, State
from invoicing import billing, selectors
from invoicing.models import Invoice, InvoiceState, LineKind
from quotes.models import PriceList


@pytest.mark.django_db
def test_demo_makes_an_issued_invoice_and_is_idempotent():
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    invoice = Invoice.objects.get()
    assert invoice.state == InvoiceState.ISSUED and invoice.total > 0
    assert invoice.lines.exists()
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
    assert Invoice.objects.count() == 1
