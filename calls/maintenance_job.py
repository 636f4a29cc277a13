"""The scheduled job ``maintenance_plans`` (registered in ``calls.apps``): preventive work ahead
of its due date.

Each run
1. opens the first occurrence of every task on every unit it applies to that has none open
   (the next ones are opened when the previous one is done: ``calls.services.maintenance``);
2. estimates again the due dates of the hours-based occurrences from the latest readings;
3. for every open occurrence due within its plan's lead time and without an intervention,
   makes the call and the intervention: type, requested date (the due date, or today when it
   is past), the plan's preferred technician, the expected hours and the parts usually needed
   in "what to bring", the type's current checklist; the intervention is *Expected* (to plan).

Twice at once (two machines, two timers) each occurrence is made once: step 1 by the unique
constraints on (task, unit, number) and on the one open occurrence per task and unit; step 3
by locking the occurrence row and looking again whether it has its intervention.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from accounts.models import User
from calls import access
from calls import maintenance as rules
from calls.models import Channel, MaintenanceOccurrence, MaintenancePart
from calls.services import create_call, fill_intervention_section
from calls.services import maintenance as services
from service_portal.roles import Role


def job_user() -> User | None:
    """Whom the calls are opened by: the first active administrator (calls record a user)."""
    return User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()


def open_missing(tasks) -> int:
    """Step 1: the first occurrence of each (task, unit) pair that has no open one."""
    pairs = rules.task_units(tasks)
    if not pairs:
        return 0
    task_ids = {task.pk for task, _unit in pairs}
    has_open = set(
        rules.open_occurrences().filter(task_id__in=task_ids).values_list("task_id", "unit_id")
    )
    last_of: dict[tuple[int, int], MaintenanceOccurrence] = {}
    missing = [(task, unit_id) for task, unit_id in pairs if (task.pk, unit_id) not in has_open]
    if missing:
        for row in (
            MaintenanceOccurrence.objects.filter(task_id__in={task.pk for task, _u in missing})
            .order_by("task_id", "unit_id", "number")
            .iterator(chunk_size=2000)
        ):
            last_of[(row.task_id, row.unit_id)] = row
    made = 0
    for task, unit_id in missing:
        if services.open_next(task, unit_id, last_of.get((task.pk, unit_id))) is not None:
            made += 1
    return made


def _what_to_bring(task_id: int) -> str:
    parts = MaintenancePart.objects.filter(task_id=task_id).select_related("spare_part")
    return "\n".join(
        f"{number_format(part.quantity.normalize())} × {part.spare_part.code} "
        f"{part.spare_part.description}"
        for part in parts.order_by("spare_part__code")
    )[:2000]


def make_intervention(occurrence_id: int, user: User, today: datetime.date) -> bool:
    """Step 3 for one occurrence; False when it already has its intervention (or closed)."""
    with transaction.atomic():
        occurrence = (
            MaintenanceOccurrence.objects.select_for_update(of=("self",))
            .select_related("task__plan__technician", "task__intervention_type", "unit__site")
            .get(pk=occurrence_id)
        )
        if occurrence.intervention_id is not None or not occurrence.is_open:
            return False
        task, unit = occurrence.task, occurrence.unit
        plan = task.plan
        due = date_format(occurrence.due_on, "SHORT_DATE_FORMAT")
        description = _("Preventive maintenance: %(task)s (plan “%(plan)s”), due on %(due)s.") % {
            "task": task.description,
            "plan": plan.name,
            "due": due,
        }
        if occurrence.due_hours is not None:
            description += " " + _("Due at %(hours)s running hours.") % {
                "hours": number_format(occurrence.due_hours, 0)
            }
        call = create_call(
            acting_user=user,
            customer=unit.site.customer,
            site=unit.site,
            unit=unit,
            description=description,
            channel=Channel.OTHER,
        )
        intervention = call.interventions.get(number=1)
        technician = plan.technician
        if technician is not None and not access.is_active_technician(technician):
            technician = None
        intervention = fill_intervention_section(
            intervention=intervention,
            acting_user=user,
            version=intervention.version,
            type=task.intervention_type,
            requested_date=max(occurrence.due_on, today),
            technician=technician,
            expected_hours=task.expected_hours,
            what_to_bring=_what_to_bring(task.pk),
        )
        occurrence.intervention = intervention
        occurrence.save(update_fields=["intervention"])
        return True


def generate_maintenance(today: datetime.date | None = None) -> str:
    """The job: open the occurrences, estimate the hours-based ones, make the interventions due."""
    today = today or timezone.localdate()
    opened = open_missing(list(rules.active_tasks()))
    moved = services.refresh_estimates(None)
    user = job_user()
    candidates = (
        rules.open_occurrences()
        .filter(
            intervention__isnull=True,
            due_on__isnull=False,
            task__is_active=True,
            task__plan__is_active=True,
        )
        .values_list("pk", "due_on", "task__plan__lead_days")
        .order_by("due_on", "pk")
    )
    made = 0
    for pk, due_on, lead_days in candidates:
        if due_on - datetime.timedelta(days=lead_days) > today:
            continue
        if user is None:
            return f"opened {opened}, re-estimated {moved}; no active administrator to open calls"
        if make_intervention(pk, user, today):
            made += 1
    return f"opened {opened}, re-estimated {moved}, interventions made {made}"
