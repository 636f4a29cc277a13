"""Invoicing demo data: one issued invoice, a verified call waiting, a done one in the queue."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

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
