"""The calls' scheduled job: warn the operators before an SLA deadline passes.

``send_sla_warnings`` (registered in ``calls.apps`` as ``sla_warnings``) finds the calls whose
running clock reached its warning moment (``Call.sla_warn_at``, ``SLA_WARNING_MINUTES`` of
business time before ``sla_due``; an index holds them) and records one ``SlaWarning`` per call
and clock: its unique constraint makes the warning go out once, whatever runs the job twice.
The e-mail is queued after the commit (``calls.tasks.send_sla_warning``).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from calls.models import Call, SlaClock, SlaWarning
from service_portal.tasks import enqueue_after_commit


def send_sla_warnings(now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    due = (
        Call.objects.filter(sla_warn_at__lte=now, sla_due__isnull=False)
        .only("pk", "responded_at", "sla_due")
        .order_by("sla_due", "pk")
    )
    sent = 0
    for call in due:
        clock = SlaClock.RESPONSE if call.responded_at is None else SlaClock.RESOLUTION
        try:
            with transaction.atomic():
                warning = SlaWarning.objects.create(
                    call=call, clock=clock, due=call.sla_due, sent_at=now
                )
                from calls.tasks import send_sla_warning

                enqueue_after_commit(send_sla_warning, warning.pk)
        except IntegrityError:
            continue  # warned already (this run's twin on another machine, or earlier)
        sent += 1
    return f"{sent} SLA warning(s) sent"
