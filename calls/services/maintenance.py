"""The writes of preventive maintenance: counter readings, the next occurrence of a task, the
completion of an occurrence when its intervention is done (``calls.services.transition``).

The rules (what is due when) are in ``calls.maintenance``; the job that makes the calls in
``calls.maintenance_job``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import User
from calls import access
from calls import maintenance as rules
from calls.models import (
    OPEN_STATES,
    CounterReading,
    IntervalUnit,
    Intervention,
    MaintenanceOccurrence,
    MaintenanceTask,
    ReadingSource,
    State,
)
from customers.models import Unit
from service_portal.errors import DomainError

MAX_HOURS = Decimal("999999999.9")


class ReadingRefused(DomainError):
    """A counter reading that cannot be recorded; the message is translated for the user."""


@transaction.atomic
def record_reading(
    *,
    unit: Unit,
    hours: Decimal,
    read_on: datetime.date,
    acting_user: User | None,
    is_replacement: bool = False,
    source: str = ReadingSource.WEB,
) -> CounterReading:
    """Record what the unit's counter shows; refused when lower than the reading before it
    (unless the counter was replaced), or dated in the future."""
    if hours is None or hours < 0 or hours > MAX_HOURS:
        raise ReadingRefused(_("Enter the running hours the counter shows (0 or more)."))
    if read_on > timezone.localdate():
        raise ReadingRefused(_("A reading cannot be dated in the future."))
    # One writer per unit at a time: the previous reading and this one stay in order.
    Unit.objects.select_for_update().only("pk").get(pk=unit.pk)
    previous = rules.latest_reading(unit.pk, on=read_on)
    later = CounterReading.objects.filter(unit_id=unit.pk, read_on__gt=read_on).exists()
    if later:
        raise ReadingRefused(_("A later reading of this unit is already recorded."))
    if is_replacement:
        total = (previous.total_hours if previous else Decimal(0)) + hours
    elif previous is None:
        total = hours
    elif hours < previous.hours:
        raise ReadingRefused(
            _(
                "The counter showed %(previous)s hours on %(day)s: a lower reading is accepted "
                "only for a new counter."
            )
            % {
                "previous": number_format(previous.hours, 1),
                "day": previous.read_on.strftime("%d/%m/%Y"),
            }
        )
    else:
        total = previous.total_hours + (hours - previous.hours)
    reading = CounterReading.objects.create(
        unit=unit,
        read_on=read_on,
        hours=hours,
        total_hours=total,
        is_replacement=is_replacement,
        source=source,
        recorded_by=acting_user,
    )
    refresh_estimates([unit.pk])
    return reading


def refresh_estimates(unit_ids: list[int] | None) -> int:
    """Estimate again the due dates of the open hours-based occurrences of ``unit_ids`` (None:
    every unit) from their readings; returns how many moved."""
    query = rules.open_occurrences().filter(task__interval_unit=IntervalUnit.HOURS)
    if unit_ids is not None:
        query = query.filter(unit_id__in=unit_ids)
    rows = list(query.only("pk", "unit_id", "due_on", "due_hours"))
    readings = rules.recent_readings(sorted({row.unit_id for row in rows}))
    moved = []
    for row in rows:
        due_on = rules.estimate_due_on(row.due_hours or Decimal(0), readings.get(row.unit_id, []))
        if due_on != row.due_on:
            row.due_on = due_on
            moved.append(row)
    MaintenanceOccurrence.objects.bulk_update(moved, ["due_on"], batch_size=500)
    return len(moved)


def open_next(
    task: MaintenanceTask, unit_id: int, previous: MaintenanceOccurrence | None
) -> MaintenanceOccurrence | None:
    """Make the occurrence after ``previous`` (the first one when None); None when another
    process made it first (the unique constraints decide)."""
    due_on, due_hours = rules.next_due(task, unit_id, previous)
    try:
        with transaction.atomic():
            return MaintenanceOccurrence.objects.create(
                task=task,
                unit_id=unit_id,
                number=(previous.number + 1) if previous is not None else 1,
                due_on=due_on,
                due_hours=due_hours,
            )
    except IntegrityError:
        return None


def close_for(intervention: Intervention, to_state: str) -> MaintenanceOccurrence | None:
    """The intervention of an occurrence was done (or cancelled): record it and open the next
    occurrence, computed from the day it was done. Called by ``transition`` in its transaction."""
    if to_state not in (State.DONE, State.CANCELLED):
        return None
    occurrence = (
        MaintenanceOccurrence.objects.select_for_update()
        .filter(intervention_id=intervention.pk, completed_on__isnull=True, cancelled=False)
        .first()
    )
    if occurrence is None:
        return None
    task = MaintenanceTask.objects.select_related("plan").get(pk=occurrence.task_id)
    today = timezone.localdate()
    if to_state == State.DONE:
        occurrence.completed_on = today
        if task.interval_unit == IntervalUnit.HOURS:
            reading = rules.latest_reading(occurrence.unit_id, on=today)
            occurrence.completed_hours = (
                reading.total_hours if reading is not None else occurrence.due_hours
            )
    else:
        occurrence.cancelled = True
    occurrence.save(update_fields=["completed_on", "completed_hours", "cancelled"])
    if task.is_active and task.plan.is_active:
        open_next(task, occurrence.unit_id, occurrence)
    return occurrence


def may_record_reading(user: User, intervention: Intervention) -> bool:
    """The job's technician (or the office) records readings of its unit, while it is open."""
    return bool(
        intervention.call.unit_id
        and intervention.state in OPEN_STATES
        and user.is_authenticated
        and user.is_active
        and access.is_assigned_or_office(intervention, user)
    )


def record_reading_on_job(
    *,
    intervention: Intervention,
    acting_user: User,
    hours: Decimal,
    read_on: datetime.date,
    is_replacement: bool = False,
) -> CounterReading:
    """A reading typed on the job page: the unit of the job's call."""
    unit = intervention.call.unit
    if unit is None or not may_record_reading(acting_user, intervention):
        raise ReadingRefused(_("You may not record a reading on this intervention."))
    return record_reading(
        unit=unit,
        hours=hours,
        read_on=read_on,
        acting_user=acting_user,
        is_replacement=is_replacement,
    )
