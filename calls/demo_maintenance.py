"""Demo data of preventive maintenance (called by ``calls.demo.seed``): a yearly service due in
ten days, three more unit plans (quarterly and overdue, half-yearly, every 500 running hours
with two months of readings), their occurrences opened, so that *Maintenance due* shows work
today; the scheduled job ``maintenance_plans`` then makes the calls within each lead time.

With ``--scale N`` one generated unit in twenty gets a plan (one in five of them by running
hours, with two readings), its occurrence opened at once: bulk inserts, a few queries a batch.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from calls import maintenance as rules
from calls.maintenance_job import open_missing
from calls.models import (
    ChecklistTemplate,
    CounterReading,
    IntervalUnit,
    InterventionType,
    MaintenanceOccurrence,
    MaintenancePart,
    MaintenancePlan,
    MaintenanceTask,
    ReadingSource,
)
from calls.services.maintenance import refresh_estimates
from customers.models import Unit
from orders.models import SparePart

DEMO_PREFIX = "Demo · "
GEN_NAME = "GEN maintenance"
GEN_EVERY = 20  # one generated unit in this many gets a plan


def _task(plan, kind, template, description, every, unit=IntervalUnit.MONTHS, parts=()):
    task = MaintenanceTask.objects.create(
        plan=plan,
        description=description,
        intervention_type=kind,
        checklist=template,
        every=every,
        interval_unit=unit,
        expected_hours=Decimal(2),
    )
    MaintenancePart.objects.bulk_create(
        [MaintenancePart(task=task, spare_part=part, quantity=Decimal(1)) for part in parts]
    )
    return task


@transaction.atomic
def _seed_demo(progress) -> int:
    if MaintenancePlan.objects.filter(name__startswith=DEMO_PREFIX).exists():
        return 0
    kind = InterventionType.objects.filter(code="maintenance").first()
    units = list(
        Unit.objects.exclude(serial_number__startswith="GEN-")
        .filter(is_active=True)
        .select_related("product")
        .order_by("pk")[:6]
    )
    if kind is None or len(units) < 4:
        return 0
    template = ChecklistTemplate.objects.filter(intervention_type=kind, is_current=True).first()
    technicians = list(User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by("pk")[:2])
    technician = technicians[0] if technicians else None
    today = timezone.localdate()
    parts = list(SparePart.objects.filter(products=units[0].product).order_by("code")[:2])
    # A unit plan, not its product's: the generated units of ``--scale`` share the demo
    # products, and a product plan would make the job open a call on each of them.
    yearly = MaintenancePlan.objects.create(
        name=f"{DEMO_PREFIX}{units[0].serial_number}",
        unit=units[0],
        starts_on=rules.add_months(today, -12) + datetime.timedelta(days=10),
        lead_days=14,
        technician=technician,
    )
    _task(yearly, kind, template, "Annual service / Tagliando annuale", 12, parts=parts)
    quarterly = MaintenancePlan.objects.create(
        name=f"{DEMO_PREFIX}{units[1].serial_number}",
        unit=units[1],
        starts_on=rules.add_months(today, -3) - datetime.timedelta(days=5),  # five days late
        lead_days=7,
        technician=technicians[-1] if technicians else None,
    )
    _task(quarterly, kind, None, "Safety check / Verifica sicurezze", 3)
    half = MaintenancePlan.objects.create(
        name=f"{DEMO_PREFIX}{units[2].serial_number}",
        unit=units[2],
        starts_on=rules.add_months(today, -6) + datetime.timedelta(days=40),
        lead_days=21,
        technician=technician,
    )
    _task(half, kind, template, "Lubrication / Lubrificazione", 6)
    hours = MaintenancePlan.objects.create(
        name=f"{DEMO_PREFIX}{units[3].serial_number} (h)",
        unit=units[3],
        starts_on=today - datetime.timedelta(days=60),
        lead_days=10,
        technician=technician,
    )
    _task(hours, kind, None, "Filter change / Cambio filtri", 500, IntervalUnit.HOURS)
    # Eight hours a day for two months from 1,000 h: 1,480 h today, 1,500 h due in 3 days.
    start = today - datetime.timedelta(days=60)
    readings = []
    for step in range(0, 61, 15):
        value = Decimal(1000 + 8 * step)
        readings.append(
            CounterReading(
                unit=units[3],
                read_on=start + datetime.timedelta(days=step),
                hours=value,
                total_hours=value,
                source=ReadingSource.WEB,
            )
        )
    CounterReading.objects.bulk_create(readings)
    made = open_missing(list(rules.active_tasks().filter(plan__name__startswith=DEMO_PREFIX)))
    refresh_estimates([units[3].pk])
    progress.step("demo maintenance plans", 4, 4)
    return made


def _seed_volume(progress) -> None:
    """One generated unit in ``GEN_EVERY`` gets a plan with one task and its open occurrence."""
    kind = InterventionType.objects.filter(code="maintenance").first()
    if kind is None:
        return
    planned = MaintenancePlan.objects.filter(name=GEN_NAME).values_list("unit_id", flat=True)
    units = list(
        Unit.objects.filter(serial_number__startswith="GEN-", is_active=True)
        .exclude(pk__in=planned)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    wanted = [pk for pk in units if pk % GEN_EVERY == 3]
    if not wanted:
        return
    today = timezone.localdate()
    technicians = list(
        User.objects.filter(role=Role.TECHNICIAN, is_active=True).values_list("pk", flat=True)
    )
    for first in range(0, len(wanted), 2000):
        batch = wanted[first : first + 2000]
        with transaction.atomic():
            plans = MaintenancePlan.objects.bulk_create(
                [
                    MaintenancePlan(
                        name=GEN_NAME,
                        unit_id=pk,
                        # spread over the year: some due every week of the coming months
                        starts_on=today - datetime.timedelta(days=365 - pk % 400),
                        lead_days=14,
                        technician_id=technicians[pk % len(technicians)] if technicians else None,
                    )
                    for pk in batch
                ]
            )
            tasks = MaintenanceTask.objects.bulk_create(
                [
                    MaintenanceTask(
                        plan=plan,
                        description="Filter change" if index % 5 == 0 else "Annual service",
                        intervention_type=kind,
                        every=1000 if index % 5 == 0 else 12,
                        interval_unit=IntervalUnit.HOURS if index % 5 == 0 else IntervalUnit.MONTHS,
                    )
                    for index, plan in enumerate(plans)
                ]
            )
            readings, occurrences = [], []
            for task, plan in zip(tasks, plans, strict=True):
                if task.interval_unit == IntervalUnit.HOURS:
                    # 4-8 hours a day: two readings 30 days apart, due in some weeks
                    pace = 4 + plan.unit_id % 5
                    now_hours = Decimal(1000 - (plan.unit_id % 60) * pace)
                    before = now_hours - 30 * pace
                    readings += [
                        CounterReading(
                            unit_id=plan.unit_id,
                            read_on=today - datetime.timedelta(days=30),
                            hours=before,
                            total_hours=before,
                        ),
                        CounterReading(
                            unit_id=plan.unit_id,
                            read_on=today,
                            hours=now_hours,
                            total_hours=now_hours,
                        ),
                    ]
                    due_on = today + datetime.timedelta(
                        days=int((Decimal(1000) - now_hours) / pace)
                    )
                    occurrences.append(
                        MaintenanceOccurrence(
                            task=task,
                            unit_id=plan.unit_id,
                            number=1,
                            due_on=due_on,
                            due_hours=Decimal(1000),
                        )
                    )
                else:
                    occurrences.append(
                        MaintenanceOccurrence(
                            task=task,
                            unit_id=plan.unit_id,
                            number=1,
                            due_on=rules.after_interval(plan.starts_on, task),
                        )
                    )
            CounterReading.objects.bulk_create(readings)
            MaintenanceOccurrence.objects.bulk_create(occurrences)
        progress.step("generated maintenance plans", first + len(batch), len(wanted))


def seed(*, scale: int, progress) -> None:
    _seed_demo(progress)
    if scale:
        _seed_volume(progress)
