"""Who may do what to an intervention: the table ``calls.access`` answers, by role and ownership.

Columns: administrator, operator, the assigned technician, another technician. The management
page shows exactly these answers and the services refuse everything else.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from calls import access
from calls.models import Call, Intervention, State
from service_portal.roles import Role

ACTORS = ("administrator", "operator", "assigned", "other")
ASSIGNED_PK = 3


def _user(actor: str) -> User:
    pk, role = {
        "administrator": (1, Role.ADMINISTRATOR),
        "operator": (2, Role.OPERATOR),
        "assigned": (ASSIGNED_PK, Role.TECHNICIAN),
        "other": (4, Role.TECHNICIAN),
    }[actor]
    return User(pk=pk, username=actor, role=role)


def _intervention(state: str, call_status: str | None = None) -> Intervention:
    intervention = Intervention(state=state, technician_id=ASSIGNED_PK)
    intervention.call = Call(status=call_status or state)
    return intervention


def _move(to_state):
    return lambda intervention, user: access.may_move(intervention, user, to_state)


def _edit_call(intervention, user):
    return access.may_edit_call(intervention.call, user)


def _follow_up(intervention, user):
    return access.may_add_follow_up(intervention.call, user)


def _offer(intervention, user):
    return access.allowed_actions(intervention, user).create_offer


# (what, state of the intervention, allowed for administrator, operator, assigned, other)
TABLE = [
    ("edit the call", _edit_call, State.EXPECTED, (1, 1, 0, 0)),
    ("edit a closed call", _edit_call, State.INVOICED, (0, 0, 0, 0)),
    ("edit the intervention", access.may_edit_intervention, State.EXPECTED, (1, 1, 0, 0)),
    ("edit a done intervention", access.may_edit_intervention, State.DONE, (0, 0, 0, 0)),
    ("plan without the planner", _move(State.PLANNED), State.QUOTED, (1, 1, 0, 0)),
    ("mark done", _move(State.DONE), State.PLANNED, (1, 0, 1, 0)),
    ("cancel a planned visit", _move(State.CANCELLED), State.PLANNED, (1, 1, 0, 0)),
    ("verify", _move(State.VERIFIED), State.DONE, (1, 0, 0, 0)),
    ("send back", _move(State.PLANNED), State.DONE, (1, 0, 0, 0)),
    ("skip the map (new -> done)", _move(State.DONE), State.NEW, (0, 0, 0, 0)),
    ("resolve by phone", access.may_resolve_by_phone, State.NEW, (1, 1, 0, 0)),
    ("resolve a planned call by phone", access.may_resolve_by_phone, State.PLANNED, (0, 0, 0, 0)),
    ("add a follow-up visit", _follow_up, State.DONE, (1, 1, 0, 0)),
    ("add a follow-up to an open call", _follow_up, State.PLANNED, (0, 0, 0, 0)),
    ("add notes", access.may_add_notes, State.PLANNED, (1, 1, 1, 0)),
    ("add notes when invoiced", access.may_add_notes, State.INVOICED, (0, 0, 0, 0)),
    ("add notes when cancelled", access.may_add_notes, State.CANCELLED, (0, 0, 0, 0)),
    ("quote", access.may_quote, State.EXPECTED, (1, 1, 0, 0)),
    ("quote before the data", access.may_quote, State.NEW, (0, 0, 0, 0)),
    ("record expenses and parts", access.may_record, State.PLANNED, (1, 1, 1, 0)),
    ("record after verification (frozen)", access.may_record, State.VERIFIED, (0, 0, 0, 0)),
    ("record before planning", access.may_record, State.EXPECTED, (0, 0, 0, 0)),
    ("record once invoiced", access.may_record, State.INVOICED, (0, 0, 0, 0)),
    ("complete with the signature", access.may_complete, State.PLANNED, (1, 0, 1, 0)),
    ("complete twice", access.may_complete, State.DONE, (0, 0, 0, 0)),
    ("offer spare parts to the customer", _offer, State.PLANNED, (1, 1, 0, 0)),
]


@pytest.mark.parametrize(("what", "rule", "state", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_the_access_table(what, rule, state, expected):
    answers = tuple(int(rule(_intervention(state), _user(actor))) for actor in ACTORS)
    assert answers == expected, what


def test_an_inactive_administrator_may_do_nothing():
    user = _user("administrator")
    user.is_active = False
    intervention = _intervention(State.PLANNED)
    assert not access.may_move(intervention, user, State.CANCELLED)
    assert not access.may_record(intervention, user)
    assert not access.may_complete(intervention, user)


def test_only_active_technicians_are_assigned():
    assert access.is_active_technician(_user("assigned"))
    assert not access.is_active_technician(_user("operator"))
    gone = _user("other")
    gone.is_active = False
    assert not access.is_active_technician(gone)


def test_the_management_page_asks_once_and_gets_every_answer():
    planned = _intervention(State.PLANNED)
    assigned = access.allowed_actions(planned, _user("assigned"))
    assert assigned.targets == (State.DONE,)
    assert (assigned.add_notes, assigned.record, assigned.complete) == (True, True, True)
    assert not (assigned.edit_call or assigned.edit_intervention or assigned.quote)
    other = access.allowed_actions(planned, _user("other"))
    assert other.targets == ()
    assert not any(
        (other.add_notes, other.record, other.complete, other.resolve_by_phone, other.follow_up)
    )
    operator = access.allowed_actions(planned, _user("operator"))
    assert operator.targets == (State.CANCELLED,)
    assert operator.edit_call and operator.edit_intervention and not operator.complete


def test_the_transition_map_names_only_known_roles():
    for targets in access.TRANSITIONS.values():
        for roles in targets.values():
            assert roles and roles <= set(Role.values)


def test_technicians_see_only_their_interventions_and_calls(technician, other_technician):
    from tests.calls.factories import make_intervention

    mine = make_intervention(State.PLANNED, technician=technician)
    theirs = make_intervention(State.PLANNED, technician=other_technician)
    unassigned = make_intervention(State.NEW)
    everything = Intervention.objects.all()
    assert set(access.visible_interventions(everything, technician)) == {mine}
    assert set(access.visible_calls(Call.objects.all(), technician)) == {mine.call}
    office = User.objects.create(username="office", role=Role.OPERATOR)
    assert set(access.visible_interventions(everything, office)) == {mine, theirs, unassigned}
    assert access.visible_calls(Call.objects.all(), office).count() == 3
