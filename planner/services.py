"""Every write on the planners: activities, planning interventions, time entries, feed tokens.

One function per action: typed, keyword-only, atomic; it checks role, ownership and
preconditions on the server and raises ``PlannerError`` with a translated message.

Decisions (see docs/planner.md):
- Planning an intervention creates an *intervention* activity (a visit) and moves the
  intervention to *planned* through ``calls.services.transition`` (the only code that changes
  its state, which refuses *planned* without a visit). A visit cannot start before its call was
  received; a visit in the past is a warning to confirm ("recording a visit already made") and
  is marked ``recorded_afterwards``.
- A planned intervention's last planned activity cannot be removed: the transition map has no
  way back from *planned* to *expected*/*quoted*, and an intervention that is planned with
  nothing on the planner would be lost. It can be moved (other day, time or technician); to
  drop the visit, cancel the intervention on the call page (planned -> cancelled, with a reason).
- Conflicts (overlapping activities, an absence of the technician) are warnings: the service
  returns them without saving unless the caller passes ``confirm=True``.
- Hours (``TimeEntry``) belong to one person: they record their own, an administrator records
  anyone's. Entries of a verified or invoiced intervention are frozen.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from calls.models import Call, Intervention, State
from calls.services import CallError, state_label, transition
from calls.services.actuals import FROZEN_STATES
from planner import access
from planner.models import (
    ABSENCE_KINDS,
    Activity,
    ActivityAction,
    ActivityKind,
    ActivityLog,
    CalendarFeed,
    LabourRate,
    TimeEntry,
    WorkKind,
)
from planner.tasks import send_activity_email
from service_portal import locking
from service_portal.errors import DomainError, RoleRefused
from service_portal.tasks import enqueue_after_commit

PLANNABLE_STATES = frozenset({State.EXPECTED, State.QUOTED})
# Hours of a signed (done), verified or invoiced intervention are frozen (issues 17, 20).
HOURS_FROZEN_STATES = FROZEN_STATES
MAX_HOURS_PER_DAY = Decimal(24)


class PlannerError(DomainError):
    """A refused action on the planners; the message is translated for the user."""


class PlannerRoleRefused(RoleRefused, PlannerError):
    """A wrong role or someone else's planner or hours: a ``PlannerError`` and a
    ``PermissionDenied``."""


@dataclass
class PlanResult:
    """The outcome of a planning action: saved (``activity`` set) or held back by warnings."""

    activity: Activity | None
    warnings: list[str] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.activity is not None


# --- Helpers --------------------------------------------------------------------------------
def _moment(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _check_technician(technician: User) -> None:
    if not access.is_planned_technician(technician):
        raise PlannerError(_("Choose an active technician."))


def _check_range(start: datetime.datetime, end: datetime.datetime) -> None:
    if end <= start:
        raise PlannerError(_("The end must be after the start."))


def _check_may_manage(acting_user: User, technician: User, kind: str) -> None:
    """Staff plan everyone; a technician manages their own activities, not interventions."""
    if access.may_manage_activity(acting_user, technician, kind):
        return
    if not (acting_user.is_active and acting_user.pk == technician.pk):
        raise PlannerRoleRefused(_("You may only change your own planner."))
    raise PlannerRoleRefused(_("Interventions are planned by the office."))


def conflicts_for(
    *,
    technician: User,
    start: datetime.datetime,
    end: datetime.datetime,
    exclude_pk: int | None = None,
) -> list[str]:
    """Warnings for an activity of ``technician`` from ``start`` to ``end``.

    Overlapping activities and absences (holiday, sick leave) do not forbid planning (the
    office may know better) but must be confirmed explicitly.
    """
    overlapping = (
        Activity.objects.filter(technician=technician, start__lt=end, end__gt=start)
        .exclude(pk=exclude_pk)  # type: ignore[misc]  # None excludes nothing
        .exclude(intervention__state=State.CANCELLED)  # a cancelled visit frees the slot
        .select_related("intervention")
        .order_by("start", "pk")
    )
    warnings = []
    name = str(technician)
    for other in overlapping:
        if other.kind in ABSENCE_KINDS:
            warnings.append(
                _("%(name)s is absent (%(kind)s) from %(start)s to %(end)s.")
                % {
                    "name": name,
                    "kind": other.get_kind_display(),
                    "start": _moment(other.start),
                    "end": _moment(other.end),
                }
            )
        else:
            warnings.append(
                _("It overlaps “%(activity)s” of %(name)s, from %(start)s to %(end)s.")
                % {
                    "activity": other,
                    "name": name,
                    "start": _moment(other.start),
                    "end": _moment(other.end),
                }
            )
    return warnings


def _check_visit_time(
    intervention: Intervention, start: datetime.datetime
) -> tuple[list[str], bool]:
    """A visit cannot start before its call was received; one in the past is the record of a
    visit already made and must be confirmed. Returns (warnings, recorded afterwards)."""
    received_at = Call.objects.values_list("received_at", flat=True).get(pk=intervention.call_id)
    if start < received_at:
        raise PlannerError(
            _("A visit cannot start before the call was received (%(received)s).")
            % {"received": _moment(received_at)}
        )
    if start >= timezone.now():
        return [], False
    return [
        _(
            "This visit starts in the past: confirm only to record a visit already made "
            "(it is marked so)."
        )
    ], True


def _log(activity: Activity, action: str, user: User) -> None:
    ActivityLog.objects.create(
        activity_pk=activity.pk,
        action=action,
        technician_id=activity.technician_id,
        kind=activity.kind,
        start=activity.start,
        end=activity.end,
        intervention_id=activity.intervention_id,
        by=user,
    )


def _notify(activity: Activity, *, changed: bool) -> None:
    if activity.kind == ActivityKind.INTERVENTION:
        enqueue_after_commit(send_activity_email, activity.pk, changed)


# --- Planning interventions -----------------------------------------------------------------
@transaction.atomic
def plan_intervention(
    *,
    intervention: Intervention,
    technician: User,
    start: datetime.datetime,
    end: datetime.datetime,
    acting_user: User,
    confirm: bool = False,
    notes: str = "",
) -> PlanResult:
    """Put ``intervention`` on ``technician``'s planner and move it to *planned*.

    An expected or quoted intervention becomes planned (its technician is set if needed); a
    planned one may get a further session with the same technician (a visit over several days).
    Conflicts come back as warnings and nothing is saved unless ``confirm``.
    """
    if not access.may_plan_interventions(acting_user):
        raise PlannerRoleRefused(_("Interventions are planned by the office."))
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    _check_technician(technician)
    _check_range(start, end)
    if locked.state == State.PLANNED:
        if locked.technician_id != technician.pk:
            raise PlannerError(
                _("%(code)s is already planned for another technician: move its activity instead.")
                % {"code": locked.code}
            )
    elif locked.state not in PLANNABLE_STATES:
        raise PlannerError(
            _("Only an expected or quoted intervention can be planned (%(code)s is “%(state)s”).")
            % {"code": locked.code, "state": state_label(locked.state)}
        )
    past, afterwards = _check_visit_time(locked, start)
    warnings = past + conflicts_for(technician=technician, start=start, end=end)
    if warnings and not confirm:
        return PlanResult(activity=None, warnings=warnings)
    if locked.technician_id != technician.pk:
        locked.technician = technician
        locked.save(update_fields=["technician", "version", "updated_at"])
    activity = Activity.objects.create(
        technician=technician,
        kind=ActivityKind.INTERVENTION,
        start=start,
        end=end,
        intervention=locked,
        notes=notes.strip(),
        recorded_afterwards=afterwards,
        created_by=acting_user,
    )
    if locked.state != State.PLANNED:
        try:
            locked = transition(
                intervention=locked, to_state=State.PLANNED, acting_user=acting_user
            )
        except CallError as error:
            refusal = PlannerRoleRefused if isinstance(error, RoleRefused) else PlannerError
            raise refusal(error.message) from error
    for attr in ("state", "technician_id", "version", "updated_at", "state_changed_at"):
        setattr(intervention, attr, getattr(locked, attr))
    _log(activity, ActivityAction.CREATED, acting_user)
    _notify(activity, changed=False)
    return PlanResult(activity=activity, warnings=warnings)


# --- Activities -----------------------------------------------------------------------------
@transaction.atomic
def create_activity(
    *,
    acting_user: User,
    technician: User,
    kind: str,
    start: datetime.datetime,
    end: datetime.datetime,
    all_day: bool = False,
    notes: str = "",
    confirm: bool = False,
) -> PlanResult:
    """Add an activity that is not an intervention (those go through ``plan_intervention``)."""
    if kind not in ActivityKind.values or kind == ActivityKind.INTERVENTION:
        raise PlannerError(_("Plan interventions from the list of interventions to plan."))
    _check_may_manage(acting_user, technician, kind)
    _check_technician(technician)
    _check_range(start, end)
    User.objects.select_for_update().get(pk=technician.pk)  # one planner change at a time
    warnings = conflicts_for(technician=technician, start=start, end=end)
    if warnings and not confirm:
        return PlanResult(activity=None, warnings=warnings)
    activity = Activity.objects.create(
        technician=technician,
        kind=kind,
        start=start,
        end=end,
        all_day=all_day,
        notes=notes.strip(),
        created_by=acting_user,
    )
    _log(activity, ActivityAction.CREATED, acting_user)
    return PlanResult(activity=activity, warnings=warnings)


def _check_intervention_activity_editable(activity: Activity) -> Intervention | None:
    if activity.intervention_id is None:
        return None
    intervention = Intervention.objects.select_for_update().get(pk=activity.intervention_id)
    if intervention.state in (State.DONE, State.VERIFIED, State.INVOICED):
        raise PlannerError(
            _("%(code)s is “%(state)s”: its planned activity is kept as a record.")
            % {"code": intervention.code, "state": state_label(intervention.state)}
        )
    return intervention


@transaction.atomic
def update_activity(
    *,
    activity: Activity,
    acting_user: User,
    version: int | None,
    technician: User,
    start: datetime.datetime,
    end: datetime.datetime,
    kind: str | None = None,
    all_day: bool = False,
    notes: str = "",
    confirm: bool = False,
) -> PlanResult:
    """Move or change an activity; an intervention activity keeps its intervention consistent.

    Moving a planned intervention to another technician reassigns the intervention too (only
    when it has a single activity: one intervention, one technician). The technician is told.
    """
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    locking.check(locked, version, error=PlannerError)
    kind = kind or locked.kind
    if (kind == ActivityKind.INTERVENTION) != (locked.kind == ActivityKind.INTERVENTION):
        raise PlannerError(_("An intervention activity stays an intervention activity."))
    if kind not in ActivityKind.values:
        raise PlannerError(_("Unknown kind of activity."))
    _check_may_manage(acting_user, User.objects.get(pk=locked.technician_id), locked.kind)
    _check_may_manage(acting_user, technician, kind)
    _check_technician(technician)
    _check_range(start, end)
    intervention = _check_intervention_activity_editable(locked)
    reassigned = technician.pk != locked.technician_id
    if intervention is not None and reassigned:
        if intervention.activities.exclude(pk=locked.pk).exists():
            raise PlannerError(
                _("%(code)s has other planned activities: it cannot change technician here.")
                % {"code": intervention.code}
            )
    warnings = conflicts_for(technician=technician, start=start, end=end, exclude_pk=locked.pk)
    afterwards = locked.recorded_afterwards
    if intervention is not None and start != locked.start:
        past, afterwards = _check_visit_time(intervention, start)
        warnings = past + warnings
    if warnings and not confirm:
        return PlanResult(activity=None, warnings=warnings)
    if intervention is not None and reassigned:
        intervention.technician = technician
        intervention.save(update_fields=["technician", "version", "updated_at"])
    changed = (locked.start, locked.end, locked.technician_id) != (start, end, technician.pk)
    locked.technician, locked.kind, locked.start, locked.end = technician, kind, start, end
    locked.all_day = all_day and kind != ActivityKind.INTERVENTION
    locked.notes = notes.strip()
    locked.recorded_afterwards = afterwards
    locked.save(
        update_fields=[
            "technician",
            "kind",
            "start",
            "end",
            "all_day",
            "notes",
            "recorded_afterwards",
            "version",
            "updated_at",
        ]
    )
    _log(locked, ActivityAction.CHANGED, acting_user)
    if changed:
        _notify(locked, changed=True)
    return PlanResult(activity=locked, warnings=warnings)


@transaction.atomic
def delete_activity(*, activity: Activity, acting_user: User) -> None:
    """Remove an activity; the last one of a planned intervention stays (see module docs)."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_may_manage(acting_user, User.objects.get(pk=locked.technician_id), locked.kind)
    intervention = _check_intervention_activity_editable(locked)
    if (
        intervention is not None
        and intervention.state == State.PLANNED
        and not intervention.activities.exclude(pk=locked.pk).exists()
    ):
        raise PlannerError(
            _(
                "%(code)s is planned: move its activity to another day or technician, or cancel "
                "the intervention on its call page."
            )
            % {"code": intervention.code}
        )
    _log(locked, ActivityAction.DELETED, acting_user)
    locked.delete()


# --- Hours worked ---------------------------------------------------------------------------
def _hours_between(start: datetime.time, end: datetime.time) -> Decimal:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def _check_intervention_open_for_hours(intervention: Intervention | None) -> None:
    """Verification freezes the hours it verified (issue 17); invoicing bills them."""
    if intervention is None:
        return
    if intervention.state == State.INVOICED:
        raise PlannerError(
            _("%(code)s is invoiced: its hours can no longer be changed.")
            % {"code": intervention.code}
        )
    if intervention.state == State.DONE:
        raise PlannerError(
            _(
                "%(code)s is signed by the customer: its hours are frozen. An administrator can "
                "send it back to the technician to correct them."
            )
            % {"code": intervention.code}
        )
    if intervention.state == State.VERIFIED:
        raise PlannerError(
            _(
                "%(code)s is verified: its hours are frozen. An administrator can send it back, "
                "then it needs a new verification."
            )
            % {"code": intervention.code}
        )


def _lock_entry_intervention(entry: TimeEntry) -> None:
    """Lock the intervention an existing entry counts for (a concurrent verification waits)."""
    if entry.intervention_id is not None:
        intervention = Intervention.objects.select_for_update().get(pk=entry.intervention_id)
        _check_intervention_open_for_hours(intervention)


def _validated_entry(
    *,
    acting_user: User,
    user: User,
    date: datetime.date,
    kind: str,
    hours: Decimal | None,
    start_time: datetime.time | None,
    end_time: datetime.time | None,
    intervention: Intervention | None,
    activity: Activity | None,
    description: str,
    exclude_pk: int | None,
) -> tuple[Decimal, Intervention | None]:
    """Check one entry against the rules; returns its hours and intervention (locked)."""
    if not access.may_record_hours_for(acting_user, user):
        raise PlannerRoleRefused(_("You may only record your own hours."))
    if kind not in WorkKind.values:
        raise PlannerError(_("Unknown kind of work."))
    if date > timezone.localdate():
        raise PlannerError(_("Hours cannot be recorded for a future day."))
    if activity is not None:
        if activity.technician_id != user.pk:
            raise PlannerError(_("The activity belongs to someone else's planner."))
        if intervention is None and activity.intervention_id is not None:
            intervention = activity.intervention
    if intervention is not None:
        intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
        _check_intervention_open_for_hours(intervention)
        if not access.may_book_hours_on(intervention, acting_user, user):
            raise PlannerRoleRefused(
                _("%(code)s is not assigned to you.") % {"code": intervention.code}
            )
    if intervention is None and activity is None and not description.strip():
        raise PlannerError(
            _("Say what the hours refer to: an intervention, an activity or a description.")
        )
    if (start_time is None) != (end_time is None):
        raise PlannerError(_("Give both the start and the end time, or neither."))
    if start_time is not None and end_time is not None:
        if end_time <= start_time:
            raise PlannerError(_("The end time must be after the start time."))
        hours = _hours_between(start_time, end_time)
    if hours is None:
        raise PlannerError(_("Give the hours, or the start and end time."))
    hours = Decimal(hours).quantize(Decimal("0.01"))
    if hours <= 0:
        raise PlannerError(_("The hours must be more than zero."))
    others = list(
        TimeEntry.objects.filter(user=user, date=date).exclude(pk=exclude_pk)  # type: ignore[misc]
    )
    day_total = sum((other.hours for other in others), Decimal(0))
    if day_total + hours > MAX_HOURS_PER_DAY:
        raise PlannerError(
            _(
                "No more than 24 hours a day: %(date)s already has %(hours)s hours recorded, "
                "%(left)s are left."
            )
            % {
                "date": formats.date_format(date, "SHORT_DATE_FORMAT"),
                "hours": formats.number_format(day_total, 2),
                "left": formats.number_format(MAX_HOURS_PER_DAY - day_total, 2),
            }
        )
    if start_time is not None and end_time is not None:
        for other in others:
            if other.start_time is None or other.end_time is None:
                continue
            if start_time < other.end_time and other.start_time < end_time:
                raise PlannerError(
                    _("This time range overlaps another entry of the day (%(start)s–%(end)s).")
                    % {
                        "start": formats.time_format(other.start_time, "H:i"),
                        "end": formats.time_format(other.end_time, "H:i"),
                    }
                )
    return hours, intervention


def _rate(kind: str, rate: str) -> str:
    """The billing rate of an entry: overtime and holiday apply to labour only."""
    if rate not in LabourRate.values:
        raise PlannerError(_("Unknown rate."))
    return rate if kind == WorkKind.LABOUR else LabourRate.NORMAL


@transaction.atomic
def record_time_entry(
    *,
    acting_user: User,
    user: User,
    date: datetime.date,
    kind: str,
    hours: Decimal | None = None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    intervention: Intervention | None = None,
    activity: Activity | None = None,
    description: str = "",
    rate: str = LabourRate.NORMAL,
) -> TimeEntry:
    """Record hours ``user`` worked on ``date`` (from the hours pages or an intervention)."""
    User.objects.select_for_update().get(pk=user.pk)  # serialises the day's limits per person
    hours, intervention = _validated_entry(
        acting_user=acting_user,
        user=user,
        date=date,
        kind=kind,
        hours=hours,
        start_time=start_time,
        end_time=end_time,
        intervention=intervention,
        activity=activity,
        description=description,
        exclude_pk=None,
    )
    return TimeEntry.objects.create(
        user=user,
        date=date,
        start_time=start_time,
        end_time=end_time,
        hours=hours,
        kind=kind,
        rate=_rate(kind, rate),
        intervention=intervention,
        activity=activity,
        description=description.strip(),
        created_by=acting_user,
    )


@transaction.atomic
def update_time_entry(
    *,
    entry: TimeEntry,
    acting_user: User,
    version: int | None,
    date: datetime.date,
    kind: str,
    hours: Decimal | None = None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    intervention: Intervention | None = None,
    activity: Activity | None = None,
    description: str = "",
    rate: str = LabourRate.NORMAL,
) -> TimeEntry:
    """Change a time entry; entries of a verified or invoiced intervention are read-only."""
    user = User.objects.select_for_update().get(pk=entry.user_id)
    locked = (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("intervention")
        .get(pk=entry.pk)
    )
    if not access.may_record_hours_for(acting_user, user):
        raise PlannerRoleRefused(_("You may only record your own hours."))
    locking.check(locked, version, error=PlannerError)
    _lock_entry_intervention(locked)
    hours, intervention = _validated_entry(
        acting_user=acting_user,
        user=user,
        date=date,
        kind=kind,
        hours=hours,
        start_time=start_time,
        end_time=end_time,
        intervention=intervention,
        activity=activity,
        description=description,
        exclude_pk=locked.pk,
    )
    locked.date, locked.kind, locked.hours = date, kind, hours
    locked.rate = _rate(kind, rate)
    locked.start_time, locked.end_time = start_time, end_time
    locked.intervention, locked.activity = intervention, activity
    locked.description = description.strip()
    locked.save()
    return locked


@transaction.atomic
def delete_time_entry(*, entry: TimeEntry, acting_user: User) -> None:
    # The person first, as recording and changing hours do: the recount of their daily hours
    # (planner.summaries) then takes its lock in the same order in every service.
    User.objects.select_for_update().filter(pk=entry.user_id).first()
    locked = (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("intervention", "user")
        .get(pk=entry.pk)
    )
    if not access.may_record_hours_for(acting_user, locked.user):
        raise PlannerRoleRefused(_("You may only record your own hours."))
    _lock_entry_intervention(locked)
    locked.delete()


# --- Calendar feed --------------------------------------------------------------------------
@transaction.atomic
def regenerate_feed_token(*, user: User) -> CalendarFeed:
    """A new secret for ``user``'s feed; the previous link stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


@transaction.atomic
def revoke_feed_token(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
