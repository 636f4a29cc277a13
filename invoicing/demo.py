"""Demo invoicing: one verified call waiting to be invoiced and one issued invoice.

Two demo calls are made on the first demo unit, worked (hours and a meal) by the first demo
technician, quoted from the first price list, verified by the administrator; the second is
invoiced. Idempotent: nothing is added when an invoice already exists. ``--scale`` adds no
volume (invoices are few compared with calls).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from calls import services as call_services
from calls.models import Expense, ExpenseKind, InterventionType, NoteKind, State
from customers.models import Unit
from invoicing import services
from invoicing.models import Invoice
from planner.models import TimeEntry, WorkKind
from quotes.models import PriceList
from quotes.services import create_quote_from_price_list

DEMO_MARK = "Demo: intervento per la fatturazione"


def _worked_call(unit: Unit, admin: User, technician: User, days_ago: int):
    today = timezone.localdate()
    call = call_services.create_call(
        acting_user=admin,
        customer=unit.site.customer,
        site=unit.site,
        unit=unit,
        description=DEMO_MARK,
        received_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    intervention = call.interventions.get()
    call_services.fill_intervention_section(
        intervention=intervention,
        acting_user=admin,
        version=None,
        type=InterventionType.objects.filter(is_warranty=False).order_by("pk").first(),
        requested_date=today - datetime.timedelta(days=days_ago),
        technician=technician,
    )
    price_list = PriceList.objects.order_by("pk").first()
    if price_list is not None:
        quote = create_quote_from_price_list(
            customer=unit.site.customer, price_list=price_list, acting_user=admin
        )
        intervention.quote = quote
        intervention.save(update_fields=["quote"])
    for state in (State.PLANNED, State.DONE):
        call_services.transition(intervention=intervention, to_state=state, acting_user=admin)
    day = today - datetime.timedelta(days=days_ago)
    for kind, hours in ((WorkKind.LABOUR, "3.5"), (WorkKind.TRAVEL, "1")):
        TimeEntry.objects.create(
            user=technician,
            date=day,
            kind=kind,
            hours=Decimal(hours),
            intervention=intervention,
            created_by=technician,
        )
    Expense.objects.create(
        intervention=intervention,
        kind=ExpenseKind.MEAL,
        date=day,
        amount=Decimal("14.50"),
        created_by=technician,
    )
    call_services.add_note(
        intervention=intervention,
        acting_user=technician,
        kind=NoteKind.REPORT,
        text="Sostituito il filtro, macchina collaudata.",
    )
    services.verify(intervention=intervention, acting_user=admin)
    return call


def seed(*, scale: int, progress) -> None:
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    technician = User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by("pk").first()
    unit = (
        Unit.objects.select_related("site__customer")
        .exclude(serial_number__startswith="GEN-")
        .order_by("pk")
        .first()
    )
    if admin is None or technician is None or unit is None or Invoice.objects.exists():
        progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
        return
    with transaction.atomic():
        _worked_call(unit, admin, technician, days_ago=3)  # left verified, to invoice
        invoiced = _worked_call(unit, admin, technician, days_ago=5)
        draft = services.create_draft(calls=[invoiced], acting_user=admin)
        services.issue(invoice=draft, acting_user=admin)
    progress.step("invoices", 1, 1)
