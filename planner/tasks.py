"""Background work of the planners: telling a technician about a planned visit."""

from __future__ import annotations

from django.utils import translation
from django_tasks import task

from calls import job
from calls.job import JOB_RELATED
from planner.models import Activity
from service_portal.mail import send_email


@task()
def send_activity_email(activity_pk: int, changed: bool = False) -> int:
    """E-mail the technician their planned (or moved) intervention, in their language.

    Runs after the planning transaction commits and reads the committed activity; an
    activity deleted meanwhile, or a technician without e-mail, sends nothing.
    """
    activity = (
        Activity.objects.select_related(
            "technician", *(f"intervention__{name}" for name in JOB_RELATED)
        )
        .filter(pk=activity_pk)
        .first()
    )
    if activity is None or not activity.technician.email:
        return 0
    technician = activity.technician
    with translation.override(technician.language):
        lines = job.job_lines(activity.intervention) if activity.intervention else []
    return send_email(
        template="planner/email/activity_planned",
        context={
            "activity": activity,
            "intervention": activity.intervention,
            "changed": changed,
            "job_lines": lines,
        },
        to=[technician.email],
        language=technician.language,
    )
