"""The daily hours the dashboard adds up per technician (``DayHours``).

One row per person and day with their labour, travel and other hours (``type_key`` 0), and one
per type of the interventions the hours were recorded on. A change to a time entry recounts
the rows of its person and day from their entries, in the same transaction (``refresh``): a
person has a handful of entries a day. The recount of one (day, person) is serialised by a
transaction-scoped advisory lock on PostgreSQL, as for the call summaries (calls.summaries):
two transactions changing entries of the same person and day take turns, and the second
recounts after the first committed. An entry moved to another day or person recounts both.

Signals cover saves and deletions of time entries (services, admin) and a change of an
intervention's type; ``rebuild()`` (``manage.py rebuild_day_hours``, ``seed_demo``, the nightly
job) recounts everything, for entries written in bulk or by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from calls.models import Intervention
from calls.summaries import insert_select
from planner.models import DayHours, TimeEntry, WorkKind

_SUMS = {
    "labour": Sum("hours", filter=Q(kind=WorkKind.LABOUR)),
    "travel": Sum("hours", filter=Q(kind=WorkKind.TRAVEL)),
    "total": Sum("hours"),
}


def _rows(entries, entry_model: type = TimeEntry, hours_model: type = DayHours) -> list[DayHours]:
    """The daily rows of ``entries``, summed in the database (two grouped queries)."""
    rows = []
    grouped = [
        (entries.values("user", "date").annotate(**_SUMS).order_by(), None),
        (
            entries.filter(intervention__isnull=False)
            .values("user", "date", "intervention__type")
            .annotate(**_SUMS)
            .order_by(),
            "intervention__type",
        ),
    ]
    for queryset, type_field in grouped:
        for r in queryset:
            type_key = r[type_field] if type_field else 0
            if type_field and type_key is None:
                continue  # an intervention without a type: no filter names it
            labour, travel = r["labour"] or Decimal(0), r["travel"] or Decimal(0)
            rows.append(
                DayHours(
                    day=r["date"],
                    user_id=r["user"],
                    type_key=type_key,
                    labour=labour,
                    travel=travel,
                    other=(r["total"] or Decimal(0)) - labour - travel,
                )
            )
    return rows


def _lock(pairs: list[tuple[datetime.date, int]]) -> None:
    """A transaction-scoped advisory lock per (day, person), in a fixed order."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for day, user_id in pairs:
            # 'DH' in the top bits keeps the keys apart from other advisory locks.
            key = (0x4448 << 48) | (user_id << 20) | day.toordinal()
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def refresh(pairs: Iterable[tuple[datetime.date, int]]) -> None:
    """Recount the rows of each (day, person) in ``pairs`` from the time entries, in the
    caller's transaction."""
    pairs = sorted(set(pairs))
    if not pairs:
        return
    rows = Q()
    entries = Q()
    for day, user_id in pairs:
        rows |= Q(day=day, user_id=user_id)
        entries |= Q(date=day, user_id=user_id)
    with transaction.atomic():
        _lock(pairs)
        DayHours.objects.filter(rows).delete()
        DayHours.objects.bulk_create(_rows(TimeEntry.objects.filter(entries)))


def rebuild(models: tuple[type, type] = (TimeEntry, DayHours)) -> int:
    """Every row recounted from all the time entries, in the database (``INSERT ... SELECT``:
    millions of entries at scale); returns the number of rows written."""
    entry_model, hours_model = models
    zero = Value(Decimal(0), output_field=DecimalField())

    def kind(name: str | None) -> Coalesce:
        condition = Q(kind=name) if name else ~Q(kind__in=[WorkKind.LABOUR, WorkKind.TRAVEL])
        return Coalesce(Sum("hours", filter=condition), zero)

    sums = {"labour": kind(WorkKind.LABOUR), "travel": kind(WorkKind.TRAVEL), "other": kind(None)}
    entries = entry_model.objects.all()
    queries = [
        entries.values("user", "date", type_key=Value(0)).annotate(**sums).order_by(),
        entries.filter(intervention__type__isnull=False)
        .values("user", "date", type_key=F("intervention__type"))
        .annotate(**sums)
        .order_by(),
    ]
    columns = {
        "user": "user_id",
        "date": "day",
        "type_key": "type_key",
        "labour": "labour",
        "travel": "travel",
        "other": "other",
    }
    with transaction.atomic():
        hours_model.objects.all().delete()
        return sum(insert_select(hours_model, query, columns) for query in queries)


def _entry_loaded(sender: type, instance: TimeEntry, **kwargs: object) -> None:
    # __dict__: an entry loaded without its date or person (only()) must not fetch them here.
    instance._hours_pair = (instance.__dict__.get("date"), instance.__dict__.get("user_id"))


def _pairs(instance: TimeEntry) -> set[tuple[datetime.date, int]]:
    pairs = {(instance.date, instance.user_id)}
    loaded = getattr(instance, "_hours_pair", (None, None))
    if None not in loaded:
        pairs.add(loaded)
    return pairs


def _entry_saved(sender: type, instance: TimeEntry, raw: bool = False, **kwargs: object) -> None:
    if raw:
        return
    refresh(_pairs(instance))
    instance._hours_pair = (instance.date, instance.user_id)


def _entry_deleted(sender: type, instance: TimeEntry, **kwargs: object) -> None:
    refresh(_pairs(instance))


_UNKNOWN = object()


def _intervention_loaded(sender: type, instance: Intervention, **kwargs: object) -> None:
    instance._hours_type_id = instance.__dict__.get("type_id", _UNKNOWN)


def _intervention_saved(
    sender: type, instance: Intervention, created: bool = False, raw: bool = False, **kwargs
) -> None:
    """An intervention given another type moves its hours to that type's rows."""
    if raw or created or "type_id" not in instance.__dict__:
        return  # new, or loaded without its type and not given one
    if getattr(instance, "_hours_type_id", _UNKNOWN) == instance.type_id:
        return
    instance._hours_type_id = instance.type_id
    refresh(TimeEntry.objects.filter(intervention=instance).values_list("date", "user"))


def connect() -> None:
    """Called once from PlannerConfig.ready()."""
    from django.db.models.signals import post_delete, post_init, post_save

    post_init.connect(_entry_loaded, sender=TimeEntry, dispatch_uid="day_hours")
    post_save.connect(_entry_saved, sender=TimeEntry, dispatch_uid="day_hours")
    post_delete.connect(_entry_deleted, sender=TimeEntry, dispatch_uid="day_hours")
    post_init.connect(_intervention_loaded, sender=Intervention, dispatch_uid="day_hours")
    post_save.connect(_intervention_saved, sender=Intervention, dispatch_uid="day_hours")
