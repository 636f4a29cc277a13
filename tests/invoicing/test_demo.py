"""Invoicing demo data: a verified call waiting and one issued invoice; idempotent."""

from __future__ import annotations

import pytest

from calls.models import Intervention, State
from invoicing import demo
from invoicing.models import Invoice, InvoiceState
from service_portal.management.commands.seed_demo import DEMO_MODULES


class Quiet:
    def step(self, *args):
        pass

    def note(self, *args):
        pass


@pytest.mark.django_db
def test_demo_makes_a_verified_call_and_an_issued_invoice():
    from importlib import import_module

    for name in DEMO_MODULES[: DEMO_MODULES.index("invoicing.demo")]:
        import_module(name).seed(scale=0, progress=Quiet())
    demo.seed(scale=0, progress=Quiet())
    invoice = Invoice.objects.get()
    assert invoice.state == InvoiceState.ISSUED and invoice.total > 0
    demo_interventions = Intervention.objects.filter(call__description=demo.DEMO_MARK)
    assert sorted(demo_interventions.values_list("state", flat=True)) == [
        State.INVOICED,
        State.VERIFIED,
    ]
    demo.seed(scale=0, progress=Quiet())
    assert Invoice.objects.count() == 1
