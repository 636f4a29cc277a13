"""Demo invoicing: the calls demo's verified call is invoiced, one of its done ones is verified.

It works on the calls the calls demo made and the planner demo visited (no new calls, quotes or
actuals: the visits' hours, kilometres and parts are billed), verifies the older *done*
intervention (the other stays in the verification queue), and issues one invoice for the call
that was already *verified*, which leaves a verified call waiting on the "calls to
invoice" page. Idempotent: nothing is added when an invoice already exists. ``--scale`` adds no
volume (invoices are few compared with calls).
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import Role, User
from calls.models import Intervention, State
from invoicing import services
from invoicing.models import Invoice


def seed(*, scale: int, progress) -> None:
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if admin is None or Invoice.objects.exists():
        progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
        return
    demo = Intervention.objects.exclude(call__description__startswith="Generated")
    verified = demo.filter(state=State.VERIFIED).order_by("pk").first()
    done = list(demo.filter(state=State.DONE).order_by("requested_date", "pk"))
    with transaction.atomic():
        if len(done) > 1:  # keep one in the verification queue
            services.verify(intervention=done[0], acting_user=admin)
        if verified is not None:
            draft = services.create_draft(calls=[verified.call], acting_user=admin)
            services.issue(invoice=draft, acting_user=admin)
    progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
