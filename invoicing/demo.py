"""Demo invoicing: the calls demo's verified call is invoiced, one of its done ones is verified.

It works on the calls the calls demo made (no new calls or quotes): it adds the actuals of the
interventions it bills (hours, a meal, a spare part, marked ``DEMO_MARK``), verifies the older
*done* intervention (the other stays in the verification queue), and issues one invoice for
the call that was already *verified*, which leaves a verified call waiting on the "calls to
invoice" page. Idempotent: nothing is added when an invoice already exists. ``--scale`` adds no
volume (invoices are few compared with calls).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from calls.models import Expense, ExpenseKind, Intervention, PartUsed, State
from invoicing import services
from invoicing.models import Invoice
from orders.models import SparePart
from planner.models import TimeEntry, WorkKind
from service_portal.roles import Role

DEMO_MARK = "Demo: consuntivo per la fatturazione"


def _add_actuals(intervention: Intervention) -> None:
    technician = intervention.technician
    day = intervention.requested_date
    if technician is None or day is None:
        return
    for kind, hours in ((WorkKind.LABOUR, "3.5"), (WorkKind.TRAVEL, "1")):
        TimeEntry.objects.create(
            user=technician,
            date=day,
            kind=kind,
            hours=Decimal(hours),
            intervention=intervention,
            description=DEMO_MARK,
            created_by=technician,
        )
    Expense.objects.create(
        intervention=intervention,
        kind=ExpenseKind.MEAL,
        date=day,
        amount=Decimal("14.50"),
        note=DEMO_MARK,
        created_by=technician,
    )
    part = SparePart.objects.select_related("vat_rate").order_by("pk").first()
    if part is not None:
        PartUsed.objects.create(
            intervention=intervention,
            spare_part=part,
            code=part.code,
            description=part.description,
            quantity=Decimal(1),
            unit_price=part.list_price,
            vat_rate=part.vat_rate.rate,
            created_by=technician,
        )


def seed(*, scale: int, progress) -> None:
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if admin is None or Invoice.objects.exists():
        progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
        return
    demo = Intervention.objects.exclude(call__description__startswith="Generated")
    verified = demo.filter(state=State.VERIFIED).order_by("pk").first()
    done = list(demo.filter(state=State.DONE).order_by("state_changed_at", "pk"))
    with transaction.atomic():
        if len(done) > 1:  # keep one in the verification queue
            _add_actuals(done[0])
            services.verify(intervention=done[0], acting_user=admin)
        if verified is not None:
            _add_actuals(verified)
            draft = services.create_draft(calls=[verified.call], acting_user=admin)
            services.issue(invoice=draft, acting_user=admin)
    progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
