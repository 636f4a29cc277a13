"""Planner services: planning moves interventions, conflicts need confirmation, hours limits."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from calls.models import InterventionTransition, State
from planner import services
from planner.models import Activity, ActivityKind, ActivityLog, TimeEntry, WorkKind
from planner.services import PlannerError
from tests.planner.factories import (
    at,
    make_activity,
    make_entry,
    make_planned,
    next_monday,
    ready_intervention,
    today,
    yesterday,
)

pytestmark = pytest.mark.django_db


# --- Planning -------------------------------------------------------------------------------
@pytest.mark.parametrize("state", [State.EXPECTED, State.QUOTED])
def test_planning_moves_the_intervention_to_planned(state, operator, technician):
    intervention = ready_intervention(state)
    day = next_monday()
    with pytest.MonkeyPatch.context():
        result = services.plan_intervention(
            intervention=intervention,
            technician=technician,
            start=at(day, 9),
            end=at(day, 12),
            acting_user=operator,
        )
    assert result.saved and not result.warnings
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED
    assert intervention.technician == technician
    assert intervention.call.status == State.PLANNED
    last = InterventionTransition.objects.filter(intervention=intervention).last()
    assert (last.from_state, last.to_state, last.by) == (state, State.PLANNED, operator)
    activity = result.activity
    assert (activity.kind, activity.intervention, activity.technician) == (
        ActivityKind.INTERVENTION,
        intervention,
        technician,
    )


def test_planning_emails_the_technician_in_their_language(
    operator, technician, django_capture_on_commit_callbacks
):
    technician.language = "it"
    technician.save()
    intervention = ready_intervention()
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_intervention(
            intervention=intervention,
            technician=technician,
            start=at(next_monday(), 9),
            end=at(next_monday(), 12),
            acting_user=operator,
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [technician.email]
    assert intervention.code in message.subject
    assert "Intervento pianificato" in message.subject
    assert intervention.call.customer.name in message.body


def test_no_email_when_the_planning_rolls_back(operator, technician, monkeypatch):
    intervention = ready_intervention()

    def refuse(**kwargs):
        raise services.CallError("no")

    monkeypatch.setattr(services, "transition", refuse)
    with pytest.raises(PlannerError):
        services.plan_intervention(
            intervention=intervention,
            technician=technician,
            start=at(next_monday(), 9),
            end=at(next_monday(), 12),
            acting_user=operator,
        )
    assert not mail.outbox
    assert not Activity.objects.exists()


def test_a_technician_cannot_plan(technician):
    with pytest.raises(PlannerError):
        services.plan_intervention(
            intervention=ready_intervention(),
            technician=technician,
            start=at(next_monday(), 9),
            end=at(next_monday(), 12),
            acting_user=technician,
        )


@pytest.mark.parametrize("state", [State.NEW, State.DONE, State.CANCELLED])
def test_only_expected_or_quoted_interventions_are_planned(state, operator, technician):
    with pytest.raises(PlannerError, match="Only an expected or quoted"):
        services.plan_intervention(
            intervention=ready_intervention(state),
            technician=technician,
            start=at(next_monday(), 9),
            end=at(next_monday(), 12),
            acting_user=operator,
        )


def test_end_after_start_and_an_active_technician(operator, technician, other_technician):
    with pytest.raises(PlannerError, match="end must be after"):
        services.plan_intervention(
            intervention=ready_intervention(),
            technician=technician,
            start=at(next_monday(), 12),
            end=at(next_monday(), 9),
            acting_user=operator,
        )
    with pytest.raises(PlannerError, match="active technician"):
        services.plan_intervention(
            intervention=ready_intervention(),
            technician=operator,
            start=at(next_monday(), 9),
            end=at(next_monday(), 12),
            acting_user=operator,
        )


def test_overlap_is_a_warning_until_confirmed(operator, technician):
    day = next_monday()
    make_activity(technician, ActivityKind.TRAINING, start=at(day, 8), end=at(day, 10))
    intervention = ready_intervention()
    args = dict(
        intervention=intervention,
        technician=technician,
        start=at(day, 9),
        end=at(day, 12),
        acting_user=operator,
    )
    result = services.plan_intervention(**args)
    assert not result.saved
    assert len(result.warnings) == 1 and "overlaps" in result.warnings[0]
    # 24-hour times, one full stop: never "from 8 a.m. to 10 a.m..".
    assert f"{day:%d/%m/%Y} 08:00 to {day:%d/%m/%Y} 10:00." in result.warnings[0]
    assert not result.warnings[0].endswith("..")
    intervention.refresh_from_db()
    assert intervention.state == State.EXPECTED
    assert Activity.objects.count() == 1

    result = services.plan_intervention(**args, confirm=True)
    assert result.saved
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED


@pytest.mark.parametrize("kind", [ActivityKind.HOLIDAY, ActivityKind.SICK_LEAVE])
def test_planning_on_an_absence_is_a_warning(kind, operator, technician):
    day = next_monday()
    services.create_activity(
        acting_user=operator,
        technician=technician,
        kind=kind,
        start=at(day, 0),
        end=at(day + datetime.timedelta(days=1), 0),
        all_day=True,
    )
    result = services.plan_intervention(
        intervention=ready_intervention(),
        technician=technician,
        start=at(day, 9),
        end=at(day, 12),
        acting_user=operator,
    )
    assert not result.saved
    assert "is absent" in result.warnings[0]


def test_activities_of_other_technicians_do_not_conflict(operator, technician, other_technician):
    day = next_monday()
    make_activity(other_technician, start=at(day, 8), end=at(day, 18))
    result = services.plan_intervention(
        intervention=ready_intervention(),
        technician=technician,
        start=at(day, 9),
        end=at(day, 12),
        acting_user=operator,
    )
    assert result.saved


def test_a_planned_intervention_gets_more_sessions_with_its_technician(
    operator, technician, other_technician
):
    activity = make_planned(technician)
    intervention = activity.intervention
    tuesday = next_monday() + datetime.timedelta(days=1)
    result = services.plan_intervention(
        intervention=intervention,
        technician=technician,
        start=at(tuesday, 9),
        end=at(tuesday, 12),
        acting_user=operator,
    )
    assert result.saved
    assert intervention.activities.count() == 2
    with pytest.raises(PlannerError, match="already planned for another technician"):
        services.plan_intervention(
            intervention=intervention,
            technician=other_technician,
            start=at(tuesday, 14),
            end=at(tuesday, 16),
            acting_user=operator,
        )


# --- Moving and removing --------------------------------------------------------------------
def test_moving_to_another_technician_reassigns_the_intervention(
    operator, technician, other_technician, django_capture_on_commit_callbacks
):
    activity = make_planned(technician)
    tuesday = next_monday() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.update_activity(
            activity=activity,
            acting_user=operator,
            version=activity.version,
            technician=other_technician,
            start=at(tuesday, 14),
            end=at(tuesday, 16),
        )
    assert result.saved
    activity.intervention.refresh_from_db()
    assert activity.intervention.technician == other_technician
    assert activity.intervention.state == State.PLANNED
    assert mail.outbox[-1].to == [other_technician.email]
    assert "Planning changed" in mail.outbox[-1].subject


def test_a_stale_version_is_refused(operator, technician):
    activity = make_planned(technician)
    with pytest.raises(PlannerError, match="Someone else changed"):
        services.update_activity(
            activity=activity,
            acting_user=operator,
            version=activity.version - 1,
            technician=technician,
            start=activity.start,
            end=activity.end,
        )


def test_the_last_activity_of_a_planned_intervention_cannot_be_removed(operator, technician):
    activity = make_planned(technician)
    with pytest.raises(PlannerError, match="move its activity"):
        services.delete_activity(activity=activity, acting_user=operator)
    tuesday = next_monday() + datetime.timedelta(days=1)
    services.plan_intervention(
        intervention=activity.intervention,
        technician=technician,
        start=at(tuesday, 9),
        end=at(tuesday, 12),
        acting_user=operator,
    )
    services.delete_activity(activity=activity, acting_user=operator)  # another one is left
    assert activity.intervention.activities.count() == 1


def test_activities_of_done_interventions_are_kept(administrator, technician):
    activity = make_planned(technician)
    intervention = activity.intervention
    services.transition(intervention=intervention, to_state=State.DONE, acting_user=technician)
    with pytest.raises(PlannerError, match="kept as a record"):
        services.update_activity(
            activity=activity,
            acting_user=administrator,
            version=activity.version,
            technician=technician,
            start=activity.start,
            end=activity.end + datetime.timedelta(hours=1),
        )


def test_technicians_manage_only_their_own_non_intervention_activities(
    technician, other_technician
):
    day = next_monday()
    result = services.create_activity(
        acting_user=technician,
        technician=technician,
        kind=ActivityKind.OFFICE,
        start=at(day, 14),
        end=at(day, 16),
    )
    assert result.saved
    with pytest.raises(PlannerError, match="your own planner"):
        services.create_activity(
            acting_user=other_technician,
            technician=technician,
            kind=ActivityKind.OFFICE,
            start=at(day, 17),
            end=at(day, 18),
        )
    with pytest.raises(PlannerError, match="your own planner"):
        services.delete_activity(activity=result.activity, acting_user=other_technician)
    planned = make_planned(technician)
    with pytest.raises(PlannerError, match="planned by the office"):
        services.delete_activity(activity=planned, acting_user=technician)
    services.delete_activity(activity=result.activity, acting_user=technician)


# --- Hours ----------------------------------------------------------------------------------
def test_hours_from_start_and_end_time(technician):
    entry = make_entry(
        technician,
        hours=None,
        start_time=datetime.time(8, 0),
        end_time=datetime.time(12, 30),
    )
    assert entry.hours == Decimal("4.50")
    assert entry.created_by == technician


def test_no_future_days(technician):
    with pytest.raises(PlannerError, match="future day"):
        make_entry(technician, date=today() + datetime.timedelta(days=1))
    assert make_entry(technician, date=today()).pk


def test_no_more_than_24_hours_a_day(technician):
    make_entry(technician, hours=Decimal("20"))
    with pytest.raises(PlannerError, match="No more than 24 hours a day"):
        make_entry(technician, hours=Decimal("4.25"))
    make_entry(technician, hours=Decimal("4"))


def test_no_overlapping_time_ranges(technician, other_technician):
    make_entry(technician, hours=None, start_time=datetime.time(8), end_time=datetime.time(12))
    with pytest.raises(PlannerError, match="overlaps another entry"):
        make_entry(technician, hours=None, start_time=datetime.time(11), end_time=datetime.time(13))
    make_entry(technician, hours=None, start_time=datetime.time(12), end_time=datetime.time(13))
    # Other people's entries are theirs.
    make_entry(
        other_technician, hours=None, start_time=datetime.time(8), end_time=datetime.time(12)
    )


def test_entries_must_say_what_they_refer_to(technician):
    with pytest.raises(PlannerError, match="refer to"):
        make_entry(technician, description="  ")


def test_only_own_hours_unless_administrator(technician, other_technician, administrator):
    with pytest.raises(PlannerError, match="own hours"):
        make_entry(technician, by=other_technician)
    entry = make_entry(technician, by=administrator)
    with pytest.raises(PlannerError, match="own hours"):
        services.delete_time_entry(entry=entry, acting_user=other_technician)
    services.delete_time_entry(entry=entry, acting_user=administrator)


def test_hours_on_an_intervention_of_the_technician(technician, other_technician):
    activity = make_planned(technician)
    intervention = activity.intervention
    entry = make_entry(technician, kind=WorkKind.LABOUR, intervention=intervention, description="")
    assert entry.intervention == intervention
    # An activity brings its intervention along.
    entry = make_entry(technician, kind=WorkKind.TRAVEL, activity=activity, description="")
    assert entry.intervention == intervention
    with pytest.raises(PlannerError, match="not assigned to you"):
        make_entry(other_technician, kind=WorkKind.LABOUR, intervention=intervention)
    with pytest.raises(PlannerError, match="someone else"):
        make_entry(other_technician, activity=activity)


def test_entries_of_an_invoiced_intervention_are_read_only(technician, administrator):
    intervention = make_planned(technician).intervention
    entry = make_entry(technician, kind=WorkKind.LABOUR, intervention=intervention)
    type(intervention).objects.filter(pk=intervention.pk).update(state=State.INVOICED)
    with pytest.raises(PlannerError, match="invoiced"):
        services.update_time_entry(
            entry=entry,
            acting_user=administrator,
            version=entry.version,
            date=entry.date,
            kind=entry.kind,
            hours=Decimal("1"),
            intervention=intervention,
        )
    with pytest.raises(PlannerError, match="invoiced"):
        services.delete_time_entry(entry=entry, acting_user=administrator)
    with pytest.raises(PlannerError, match="invoiced"):
        make_entry(technician, kind=WorkKind.LABOUR, intervention=intervention)


def test_updating_an_entry_checks_the_day_without_itself(technician):
    entry = make_entry(technician, hours=Decimal("20"))
    updated = services.update_time_entry(
        entry=entry,
        acting_user=technician,
        version=entry.version,
        date=entry.date,
        kind=WorkKind.TRAINING,
        hours=Decimal("24"),
        description="Course",
    )
    assert updated.hours == Decimal("24") and updated.version == entry.version + 1
    with pytest.raises(PlannerError, match="Someone else changed"):
        services.update_time_entry(
            entry=entry,
            acting_user=technician,
            version=entry.version,
            date=entry.date,
            kind=WorkKind.TRAINING,
            hours=Decimal("2"),
            description="Course",
        )
    assert TimeEntry.objects.get().hours == Decimal("24")


def test_feed_token_regenerates_and_revokes(technician):
    first = services.regenerate_feed_token(user=technician).token
    second = services.regenerate_feed_token(user=technician).token
    assert first != second and len(second) >= 40
    services.revoke_feed_token(user=technician)
    assert not hasattr(type(technician).objects.get(pk=technician.pk), "calendar_feed")


def test_yesterday_helper_is_in_the_past():
    assert yesterday() < today()


def test_a_cancelled_intervention_frees_its_slot_and_its_activity_can_go(operator, technician):
    activity = make_planned(technician)
    services.transition(
        intervention=activity.intervention,
        to_state=State.CANCELLED,
        acting_user=operator,
        reason="Customer fixed it",
    )
    result = services.plan_intervention(
        intervention=ready_intervention(),
        technician=technician,
        start=activity.start,
        end=activity.end,
        acting_user=operator,
    )
    assert result.saved and not result.warnings
    services.delete_activity(activity=activity, acting_user=operator)
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_every_planner_change_is_logged(operator, technician, other_technician):
    activity = make_planned(technician, by=operator)
    services.update_activity(
        activity=activity,
        acting_user=operator,
        version=activity.version,
        technician=other_technician,
        start=activity.start,
        end=activity.end,
    )
    office = services.create_activity(
        acting_user=technician,
        technician=technician,
        kind=ActivityKind.OFFICE,
        start=at(next_monday(), 15),
        end=at(next_monday(), 16),
    ).activity
    services.delete_activity(activity=office, acting_user=technician)
    log = list(ActivityLog.objects.values_list("activity_pk", "action", "technician", "by"))
    assert log == [
        (activity.pk, "created", technician.pk, operator.pk),
        (activity.pk, "changed", other_technician.pk, operator.pk),
        (office.pk, "created", technician.pk, technician.pk),
        (office.pk, "deleted", technician.pk, technician.pk),
    ]
