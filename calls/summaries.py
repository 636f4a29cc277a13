"""The daily call summaries (``CallDaySummary``) the dashboard counts calls from.

A summary row holds the number of calls received on one day by one customer in one status
(and, for the filters, per type and technician of their interventions; see the model). A change
to a call or an intervention rewrites the rows of that call's day and customer, recounted from
the calls, in the same transaction (``refresh_for``): a customer has a handful of calls a day,
so the recount reads a few index entries. Signals cover saves of calls and interventions
(services, admin, imports); the services that write with ``update()`` (the call's status) call
``refresh_for`` themselves. ``rebuild()`` (``manage.py rebuild_call_summaries``, run after
``seed_demo`` and by the nightly job in docs/operations.md) recounts everything.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from calls.models import Call, CallDaySummary, Intervention

# (by_type, by_technician) -> the intervention fields the rows are grouped by.
_CUBE = {
    (True, False): ("type",),
    (False, True): ("technician",),
    (True, True): ("type", "technician"),
}


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def _rows(
    calls: QuerySet[Call],
    intervention_model: type[Intervention] = Intervention,
    summary_model: type[CallDaySummary] = CallDaySummary,
) -> list[CallDaySummary]:
    """The summary rows of ``calls``, counted in the database (four grouped queries). The
    models are parameters for the migration that fills the table (historical models)."""
    tz = timezone.get_current_timezone()
    rows = [
        summary_model(day=r["day"], status=r["status"], customer_id=r["customer"], calls=r["n"])
        for r in calls.values("status", "customer", day=TruncDate("received_at", tzinfo=tz))
        .annotate(n=Count("*"))
        .order_by()
    ]
    interventions = intervention_model.objects.filter(call__in=calls.values("pk"))
    for (by_type, by_technician), fields in _CUBE.items():
        grouped = (
            interventions.values(
                *fields,
                status=F("call__status"),
                customer=F("call__customer"),
                day=TruncDate("call__received_at", tzinfo=tz),
            )
            .annotate(n=Count("call", distinct=True))
            .order_by()
        )
        rows += [
            summary_model(
                day=r["day"],
                status=r["status"],
                customer_id=r["customer"],
                by_type=by_type,
                type_id=r.get("type"),
                by_technician=by_technician,
                technician_id=r.get("technician"),
                calls=r["n"],
            )
            for r in grouped
        ]
    return rows


def refresh(pairs: Iterable[tuple[datetime.date, int]]) -> None:
    """Recount the rows of each (day, customer) in ``pairs`` from the calls, in the caller's
    transaction."""
    pairs = set(pairs)
    if not pairs:
        return
    where = Q()
    calls = Q()
    for day, customer_id in pairs:
        start, end = _day_bounds(day)
        where |= Q(day=day, customer_id=customer_id)
        calls |= Q(customer_id=customer_id, received_at__gte=start, received_at__lt=end)
    with transaction.atomic():
        CallDaySummary.objects.filter(where).delete()
        CallDaySummary.objects.bulk_create(_rows(Call.objects.filter(calls)))


def pair_of(call: Call) -> tuple[datetime.date, int]:
    return timezone.localtime(call.received_at).date(), call.customer_id


def refresh_for(*calls: Call) -> None:
    """Recount the rows of the calls' days and customers (after any change to them)."""
    refresh(pair_of(call) for call in calls)


def rebuild(models: tuple[type, type, type] = (Call, Intervention, CallDaySummary)) -> int:
    """Every row recounted from all the calls; returns the number of rows written."""
    call_model, intervention_model, summary_model = models
    with transaction.atomic():
        summary_model.objects.all().delete()
        rows = _rows(call_model.objects.all(), intervention_model, summary_model)
        summary_model.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _call_saved(sender: type, instance: Call, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        refresh_for(instance)


def _intervention_changed(
    sender: type, instance: Intervention, raw: bool = False, **kwargs: object
) -> None:
    if raw:
        return
    call = Call.objects.filter(pk=instance.call_id).only("received_at", "customer").first()
    if call is not None:
        refresh_for(call)


def connect() -> None:
    """Called once from CallsConfig.ready()."""
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_call_saved, sender=Call, dispatch_uid="call_day_summary")
    post_save.connect(_intervention_changed, sender=Intervention, dispatch_uid="call_day_summary")
    post_delete.connect(_intervention_changed, sender=Intervention, dispatch_uid="call_day_summary")
