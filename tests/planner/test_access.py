"""Who may do what on the planners and the hours: the table ``planner.access`` answers.

Columns: administrator, operator, the technician concerned, another technician.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from calls.models import Intervention, State
from planner import access
from planner.models import Activity, ActivityKind, TimeEntry
from service_portal.roles import Role
from tests.planner.factories import at, make_entry, yesterday

ACTORS = ("administrator", "operator", "technician", "other")
TECHNICIAN_PK = 3


def _user(actor: str) -> User:
    pk, role = {
        "administrator": (1, Role.ADMINISTRATOR),
        "operator": (2, Role.OPERATOR),
        "technician": (TECHNICIAN_PK, Role.TECHNICIAN),
        "other": (4, Role.TECHNICIAN),
    }[actor]
    return User(pk=pk, username=actor, role=role)


TECHNICIAN = _user("technician")


def _visit(state: str = State.PLANNED) -> Intervention:
    return Intervention(state=state, technician_id=TECHNICIAN_PK)


# (what, rule(user) -> bool, allowed for administrator, operator, technician, other)
TABLE = [
    (
        "open the technician's planner",
        lambda u: access.may_see_planner_of(u, TECHNICIAN_PK),
        (1, 1, 1, 0),
    ),
    ("plan interventions", access.may_plan_interventions, (1, 1, 0, 0)),
    (
        "manage an office activity of the technician",
        lambda u: access.may_manage_activity(u, TECHNICIAN, ActivityKind.OFFICE),
        (1, 1, 1, 0),
    ),
    (
        "manage a planned visit of the technician",
        lambda u: access.may_manage_activity(u, TECHNICIAN, ActivityKind.INTERVENTION),
        (1, 1, 0, 0),
    ),
    (
        "see the technician's hours",
        lambda u: access.may_see_hours_of(u, TECHNICIAN_PK),
        (1, 0, 1, 0),
    ),
    (
        "record the technician's hours",
        lambda u: access.may_record_hours_for(u, TECHNICIAN),
        (1, 0, 1, 0),
    ),
    (
        "book own hours on the visit",
        lambda u: access.may_book_hours_on(_visit(), u, u),
        (1, 0, 1, 0),
    ),
    ("add hours to a planned visit", lambda u: access.may_add_hours_to(_visit(), u), (1, 0, 1, 0)),
    (
        "add hours to an invoiced visit",
        lambda u: access.may_add_hours_to(_visit(State.INVOICED), u),
        (0, 0, 0, 0),
    ),
]


@pytest.mark.parametrize(("what", "rule", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_the_access_table(what, rule, expected):
    assert tuple(int(rule(_user(actor))) for actor in ACTORS) == expected, what


def test_an_administrator_records_hours_for_the_assigned_technician():
    visit = _visit()
    visit.technician = TECHNICIAN
    assert access.hours_person(visit, _user("administrator")) == TECHNICIAN
    assert access.hours_person(visit, TECHNICIAN) == TECHNICIAN


def test_a_deactivated_technician_is_not_planned_and_records_nothing():
    gone = _user("technician")
    gone.is_active = False
    assert not access.is_planned_technician(gone)
    assert access.is_planned_technician(TECHNICIAN)
    assert not access.may_record_hours_for(gone, gone)
    assert not access.may_manage_activity(gone, gone, ActivityKind.OFFICE)


def test_technicians_see_only_their_own_activities_and_hours(
    technician, other_technician, administrator, operator
):
    mine = Activity.objects.create(
        technician=technician,
        created_by=administrator,
        kind=ActivityKind.OFFICE,
        start=at(yesterday(), 9),
        end=at(yesterday(), 10),
    )
    Activity.objects.create(
        technician=other_technician,
        created_by=administrator,
        kind=ActivityKind.OFFICE,
        start=at(yesterday(), 9),
        end=at(yesterday(), 10),
    )
    my_entry = make_entry(technician)
    make_entry(other_technician)
    activities, entries = Activity.objects.all(), TimeEntry.objects.all()
    assert list(access.visible_activities(activities, technician)) == [mine]
    assert access.visible_activities(activities, operator).count() == 2
    assert list(access.visible_time_entries(entries, technician)) == [my_entry]
    assert access.visible_time_entries(entries, administrator).count() == 2
    # Operators plan, but hours are personal: they see only their own (none here).
    assert not access.visible_time_entries(entries, operator).exists()
