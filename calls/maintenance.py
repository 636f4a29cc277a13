"""Preventive maintenance: when a task falls due on a unit, and what the office sees coming.

Reads and rules only; the writes are in ``calls.services.maintenance`` (readings, completion)
and ``calls.maintenance_job`` (the scheduled job that makes the calls).

Why in ``calls``: a plan names an intervention type and a checklist template (both in
``calls``) and its job makes calls and interventions, so it must sit at or above ``calls`` in
the layers; and the completion of an intervention (``calls.services.transition``) must close
the occurrence, which ``calls`` may only do for models it may import. ``planner`` sits above
``calls`` and could hold the plans, but then the completion would need a signal from below;
in ``calls`` it is one function call in the same transaction.

The schedule (docs/contracts.md, "Maintenance plans"):

- which tasks apply to a unit: the tasks of its own active plans, and those of its product's
  active plans except a product task whose intervention type one of the unit's own tasks has
  (the unit's plan overrides it);
- the first occurrence of a calendar task is due ``every`` days or months after the plan's
  start; the next one after the day the previous one was done (or its due day, when it was
  cancelled);
- an hours task counts the unit's total running hours (``CounterReading.total_hours``): the
  first is due ``every`` hours after the reading at the plan's start (the latest on or before
  it, else the first one, else zero), the next after the hours read when the previous was done;
  its due date is estimated from the average daily use of the recent readings.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet

from calls.models import (
    CounterReading,
    IntervalUnit,
    MaintenanceOccurrence,
    MaintenanceTask,
)
from customers.models import Unit

# The readings of this many days before the latest one give the average daily use.
USE_WINDOW_DAYS = 180
# The overview's horizon, in weeks, when none is asked for.
DEFAULT_WEEKS = 8


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def after_interval(day: datetime.date, task: MaintenanceTask) -> datetime.date:
    if task.interval_unit == IntervalUnit.MONTHS:
        return add_months(day, task.every)
    return day + datetime.timedelta(days=task.every)


# --- Which tasks apply to which units -------------------------------------------------------
def active_tasks() -> QuerySet[MaintenanceTask]:
    return MaintenanceTask.objects.filter(is_active=True, plan__is_active=True).select_related(
        "plan", "intervention_type"
    )


def task_units(tasks: list[MaintenanceTask]) -> list[tuple[MaintenanceTask, int]]:
    """Each task with each unit it applies to (unit ids): three queries whatever the count."""
    unit_tasks = [task for task in tasks if task.plan.unit_id is not None]
    product_tasks = [task for task in tasks if task.plan.product_id is not None]
    active_units = set(
        Unit.objects.filter(
            is_active=True, pk__in=[task.plan.unit_id for task in unit_tasks]
        ).values_list("pk", flat=True)
    )
    pairs = [(task, task.plan.unit_id) for task in unit_tasks if task.plan.unit_id in active_units]
    overridden = {(task.plan.unit_id, task.intervention_type_id) for task in unit_tasks}
    units_of: dict[int, list[int]] = defaultdict(list)
    if product_tasks:
        for unit_id, product_id in Unit.objects.filter(
            is_active=True, product_id__in={task.plan.product_id for task in product_tasks}
        ).values_list("pk", "product_id"):
            units_of[product_id].append(unit_id)
    for task in product_tasks:
        pairs.extend(
            (task, unit_id)
            for unit_id in units_of[task.plan.product_id]
            if (unit_id, task.intervention_type_id) not in overridden
        )
    return pairs


# --- Counter readings -----------------------------------------------------------------------
def latest_reading(unit_id: int, on: datetime.date | None = None) -> CounterReading | None:
    readings = CounterReading.objects.filter(unit_id=unit_id)
    if on is not None:
        readings = readings.filter(read_on__lte=on)
    return readings.order_by("-read_on", "-pk").first()


def recent_readings(unit_ids: list[int]) -> dict[int, list[CounterReading]]:
    """Per unit, its readings of the use window before its latest one, newest first."""
    by_unit: dict[int, list[CounterReading]] = defaultdict(list)
    if not unit_ids:
        return by_unit
    readings = CounterReading.objects.filter(unit_id__in=unit_ids).order_by(
        "unit_id", "-read_on", "-pk"
    )
    for reading in readings.only("unit_id", "read_on", "total_hours").iterator(chunk_size=2000):
        rows = by_unit[reading.unit_id]
        if rows and (rows[0].read_on - reading.read_on).days > USE_WINDOW_DAYS:
            continue
        rows.append(reading)
    return by_unit


def daily_use(readings: list[CounterReading]) -> Decimal | None:
    """Average running hours a day between the oldest and the newest of ``readings`` (newest
    first); None without two readings on different days or when the counter did not move."""
    if len(readings) < 2:
        return None
    newest, oldest = readings[0], readings[-1]
    days = (newest.read_on - oldest.read_on).days
    if days <= 0 or newest.total_hours <= oldest.total_hours:
        return None
    return (newest.total_hours - oldest.total_hours) / days


def estimate_due_on(due_hours: Decimal, readings: list[CounterReading]) -> datetime.date | None:
    """The day the unit's counter should reach ``due_hours`` at its recent pace (the day of the
    latest reading when it already has); None without a pace."""
    if not readings:
        return None
    newest = readings[0]
    if newest.total_hours >= due_hours:
        return newest.read_on
    use = daily_use(readings)
    if use is None:
        return None
    days = math.ceil((due_hours - newest.total_hours) / use)
    return newest.read_on + datetime.timedelta(days=min(days, 36500))


def starting_hours(unit_id: int, start: datetime.date) -> Decimal:
    """The unit's running hours when the plan started counting."""
    before = latest_reading(unit_id, on=start)
    if before is not None:
        return before.total_hours
    first = CounterReading.objects.filter(unit_id=unit_id).order_by("read_on", "pk").first()
    return first.total_hours if first is not None else Decimal(0)


def next_due(
    task: MaintenanceTask, unit_id: int, previous: MaintenanceOccurrence | None
) -> tuple[datetime.date | None, Decimal | None]:
    """(due date, due running hours) of the occurrence after ``previous`` (None: the first)."""
    if task.interval_unit != IntervalUnit.HOURS:
        if previous is None:
            base = task.plan.starts_on
        else:
            base = previous.completed_on or previous.due_on or task.plan.starts_on
        return after_interval(base, task), None
    if previous is None:
        hours = starting_hours(unit_id, task.plan.starts_on)
    elif previous.completed_hours is not None:
        hours = previous.completed_hours
    else:
        hours = previous.due_hours or Decimal(0)
    due_hours = hours + task.every
    return estimate_due_on(due_hours, recent_readings([unit_id])[unit_id]), due_hours


# --- The overview -----------------------------------------------------------------------------
def open_occurrences() -> QuerySet[MaintenanceOccurrence]:
    return MaintenanceOccurrence.objects.filter(completed_on__isnull=True, cancelled=False)


def due_overview(
    *,
    today: datetime.date,
    weeks: int = DEFAULT_WEEKS,
    customer_id: int | None = None,
    technician_id: int | None = None,
    overdue: bool = False,
    search: str = "",
) -> QuerySet[MaintenanceOccurrence]:
    """What falls due up to ``weeks`` from ``today`` (and what is overdue), soonest first; one
    query for a page, whatever the filters."""
    rows = open_occurrences().filter(
        due_on__isnull=False, due_on__lte=today + datetime.timedelta(weeks=weeks)
    )
    if overdue:
        rows = rows.filter(due_on__lt=today)
    if customer_id is not None:
        rows = rows.filter(unit__site__customer_id=customer_id)
    if technician_id is not None:
        rows = rows.filter(
            Q(intervention__technician_id=technician_id)
            | Q(intervention__isnull=True, task__plan__technician_id=technician_id)
        )
    if search:
        rows = rows.filter(
            Q(unit__site__customer__name__icontains=search)
            | Q(unit__serial_number__icontains=search)
            | Q(task__description__icontains=search)
        )
    return rows.select_related(
        "task__plan__technician",
        "task__intervention_type",
        "unit__product",
        "unit__site__customer",
        "intervention__technician",
        "intervention__call",
    ).order_by("due_on", "pk")
