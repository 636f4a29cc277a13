"""Builders for maintenance plans, tasks and counter readings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from calls.models import (
    ChecklistTemplate,
    IntervalUnit,
    MaintenancePart,
    MaintenancePlan,
    MaintenanceTask,
)
from tests.calls.factories import make_intervention_type


def make_plan(*, unit=None, product=None, **fields: Any) -> MaintenancePlan:
    fields.setdefault("name", "Yearly inspection")
    fields.setdefault("starts_on", datetime.date(2026, 1, 15))
    fields.setdefault("lead_days", 14)
    return MaintenancePlan.objects.create(unit=unit, product=product, **fields)


def make_task(
    plan: MaintenancePlan,
    *,
    every: int = 12,
    interval_unit: str = IntervalUnit.MONTHS,
    parts: tuple = (),
    with_checklist: bool = False,
    **fields: Any,
) -> MaintenanceTask:
    fields.setdefault("description", "General inspection")
    fields.setdefault("intervention_type", make_intervention_type())
    task = MaintenanceTask.objects.create(
        plan=plan, every=every, interval_unit=interval_unit, **fields
    )
    if with_checklist:
        task.checklist = ChecklistTemplate.objects.create(
            intervention_type=task.intervention_type, name="Inspection"
        )
        task.save()
    for part, quantity in parts:
        MaintenancePart.objects.create(task=task, spare_part=part, quantity=Decimal(quantity))
    return task
