"""The lifecycle: the transition map exhaustively, by role, and the actions built on it."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from calls import services
from calls.models import Call, Intervention, InterventionTransition, NoteKind, State
from calls.services import REASON_REQUIRED, TRANSITIONS, CallError
from customers.models import Unit
from tests.calls.factories import (
    first_intervention,
    make_call,
    make_intervention,
    make_intervention_type,
)
from tests.factories import make_contact, make_site, make_unit, make_user

pytestmark = pytest.mark.django_db

# Who acts: the three roles, and a technician the intervention is not assigned to.
ACTORS = ("administrator", "operator", "technician", "other_technician")


def _allowed(from_state: str, to_state: str, actor: str) -> bool:
    roles = TRANSITIONS[from_state].get(to_state)
    if roles is None:
        return False
    if actor == "other_technician":
        return False
    return actor in roles


CASES = [
    (f, t, a, _allowed(f, t, a))
    for f, t, a in itertools.product(State.values, State.values, ACTORS)
]


def _visit(intervention):
    from django.utils import timezone

    from planner.models import Activity

    start = timezone.now() + datetime.timedelta(days=1)
    Activity.objects.create(
        technician=intervention.technician,
        kind="intervention",
        start=start,
        end=start + datetime.timedelta(hours=1),
        intervention=intervention,
        created_by=intervention.technician,
    )


def test_the_map_covers_every_state():
    assert set(TRANSITIONS) == set(State.values)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(State.values)


@pytest.mark.parametrize(
    ("from_state", "to_state", "actor", "allowed"),
    CASES,
    ids=[f"{f}->{t}-{a}-{'ok' if ok else 'refused'}" for f, t, a, ok in CASES],
)
def test_every_transition_by_role(
    from_state, to_state, actor, allowed, administrator, operator, technician, other_technician
):
    users = {
        "administrator": administrator,
        "operator": operator,
        "technician": technician,
        "other_technician": other_technician,
    }
    intervention = make_intervention(from_state, technician=technician)
    if (from_state, to_state) in services.VISIT_REQUIRED:
        _visit(intervention)  # planned means a visit: the planner made it first
    before = InterventionTransition.objects.count()
    if allowed:
        services.transition(
            intervention=intervention,
            to_state=to_state,
            acting_user=users[actor],
            reason="because",
        )
        intervention.refresh_from_db()
        assert intervention.state == to_state
        record = InterventionTransition.objects.latest("pk")
        assert (record.from_state, record.to_state, record.by) == (
            from_state,
            to_state,
            users[actor],
        )
        assert record.reason == "because"
        assert Call.objects.get(pk=intervention.call_id).status == to_state
    else:
        with pytest.raises(CallError) as refused:
            services.transition(
                intervention=intervention,
                to_state=to_state,
                acting_user=users[actor],
                reason="because",
            )
        assert refused.value.message
        intervention.refresh_from_db()
        assert intervention.state == from_state
        assert InterventionTransition.objects.count() == before


def test_an_illegal_transition_is_refused_in_the_user_language(operator):
    from django.utils import translation

    intervention = make_intervention(State.NEW)
    with translation.override("it"), pytest.raises(CallError) as refused:
        services.transition(
            intervention=intervention, to_state=State.INVOICED, acting_user=operator
        )
    assert "non può passare" in refused.value.message


@pytest.mark.parametrize(
    ("from_state", "to_state"), sorted((f, t) for f, t in REASON_REQUIRED if t in TRANSITIONS[f])
)
def test_changes_that_need_a_reason(from_state, to_state, administrator, technician):
    intervention = make_intervention(from_state, technician=technician)
    with pytest.raises(CallError, match="reason"):
        services.transition(
            intervention=intervention, to_state=to_state, acting_user=administrator, reason=" "
        )


def test_expected_needs_type_and_date(operator):
    intervention = first_intervention(make_call())
    with pytest.raises(CallError, match="intervention type"):
        services.transition(
            intervention=intervention, to_state=State.EXPECTED, acting_user=operator
        )


@pytest.mark.parametrize("to_state", [State.PLANNED])
def test_planning_needs_a_technician(to_state, operator):
    intervention = make_intervention(State.EXPECTED, technician=None)
    with pytest.raises(CallError, match="technician"):
        services.transition(intervention=intervention, to_state=to_state, acting_user=operator)


def test_a_technician_completes_only_their_own_intervention(technician, other_technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    with pytest.raises(CallError, match="not assigned to you"):
        services.transition(
            intervention=intervention, to_state=State.DONE, acting_user=other_technician
        )
    services.transition(intervention=intervention, to_state=State.DONE, acting_user=technician)
    assert intervention.state == State.DONE


class TestCreateCall:
    def test_the_first_intervention_is_created_with_the_call(self, operator):
        call = make_call(by=operator)
        assert call.code.startswith(f"{timezone.localdate().year}-")
        assert len(call.code) == 11
        intervention = call.interventions.get()
        assert intervention.code == f"{call.code}/1"
        assert intervention.state == State.NEW
        assert call.status == State.NEW
        history = intervention.transitions.get()
        assert (history.from_state, history.to_state, history.by) == ("", State.NEW, operator)

    def test_codes_follow_each_other(self, operator):
        first, second = make_call(by=operator), make_call(by=operator)
        assert int(second.code[-6:]) == int(first.code[-6:]) + 1

    def test_a_technician_cannot_open_a_call(self, technician):
        with pytest.raises(CallError):
            make_call(by=technician)
        assert not Call.objects.exists()

    def test_site_contact_and_unit_must_belong_to_the_customer(self, operator):
        unit = make_unit()
        customer = unit.site.customer
        foreign_site = make_site()
        foreign_contact = make_contact()
        cases = [
            {"site": foreign_site, "unit": None, "contact": None},
            {"site": unit.site, "unit": None, "contact": foreign_contact},
            {"site": make_site(customer), "unit": unit, "contact": None},
        ]
        for case in cases:
            with pytest.raises(CallError):
                services.create_call(
                    acting_user=operator, customer=customer, description="x", **case
                )
        assert not Call.objects.exists()

    def test_a_failure_after_numbering_rolls_everything_back(self, operator, monkeypatch):
        def boom(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(services, "_new_intervention", boom)
        with pytest.raises(RuntimeError):
            make_call(by=operator)
        assert not Call.objects.exists()
        assert not Intervention.objects.exists()


class TestInterventionSection:
    def test_filling_it_makes_the_intervention_expected(self, operator, technician):
        call = make_call(by=operator)
        intervention = first_intervention(call)
        services.fill_intervention_section(
            intervention=intervention,
            acting_user=operator,
            version=intervention.version,
            type=make_intervention_type(),
            requested_date=datetime.date(2026, 12, 10),
            technician=technician,
            expected_hours=Decimal("3.5"),
            what_to_bring="Filter kit",
        )
        intervention.refresh_from_db()
        call.refresh_from_db()
        assert intervention.state == State.EXPECTED
        assert call.status == State.EXPECTED
        assert intervention.technician == technician
        assert intervention.expected_hours == Decimal("3.50")
        assert list(intervention.transitions.values_list("to_state", flat=True)) == [
            State.NEW,
            State.EXPECTED,
        ]

    def test_a_stale_version_is_refused(self, operator):
        intervention = first_intervention(make_call(by=operator))
        kwargs = {
            "intervention": intervention,
            "acting_user": operator,
            "type": make_intervention_type(),
            "requested_date": datetime.date(2026, 12, 10),
        }
        services.fill_intervention_section(version=intervention.version, **kwargs)
        with pytest.raises(CallError, match="Someone else changed"):
            services.fill_intervention_section(version=intervention.version, **kwargs)

    def test_only_a_technician_can_be_assigned(self, operator):
        intervention = first_intervention(make_call(by=operator))
        with pytest.raises(CallError, match="technician"):
            services.fill_intervention_section(
                intervention=intervention,
                acting_user=operator,
                version=None,
                type=make_intervention_type(),
                requested_date=datetime.date(2026, 12, 10),
                technician=make_user(None, Role.OPERATOR),
            )

    def test_closed_interventions_are_read_only(self, operator):
        intervention = make_intervention(State.DONE)
        with pytest.raises(CallError, match="can no longer be changed"):
            services.fill_intervention_section(
                intervention=intervention,
                acting_user=operator,
                version=None,
                type=make_intervention_type(),
                requested_date=datetime.date(2026, 12, 10),
            )


class TestResolveByPhone:
    def test_the_call_and_its_intervention_are_closed_and_kept(self, operator):
        call = make_call(by=operator)
        services.resolve_by_phone(call=call, acting_user=operator, solution="Reset the breaker.")
        call.refresh_from_db()
        intervention = first_intervention(call)
        assert call.status == intervention.state == State.RESOLVED_BY_PHONE
        assert intervention.transitions.latest("pk").reason == "Reset the breaker."

    def test_only_a_new_intervention_can_be_resolved_by_phone(self, operator):
        intervention = make_intervention(State.EXPECTED)
        with pytest.raises(CallError, match="still new"):
            services.resolve_by_phone(
                call=intervention.call, acting_user=operator, solution="Reset."
            )

    def test_a_technician_cannot(self, technician):
        call = make_call()
        with pytest.raises(CallError):
            services.resolve_by_phone(call=call, acting_user=technician, solution="x")


class TestFollowUp:
    def test_a_follow_up_gets_the_next_number_and_drives_the_status(self, operator):
        intervention = make_intervention(State.DONE)
        call = intervention.call
        follow_up = services.add_follow_up_intervention(
            call=call, acting_user=operator, reason="Still leaks."
        )
        assert follow_up.number == 2
        assert follow_up.code == f"{call.code}/2"
        call.refresh_from_db()
        assert call.status == State.NEW
        services.transition(
            intervention=follow_up,
            to_state=State.CANCELLED,
            acting_user=operator,
            reason="Not needed after all",
        )
        call.refresh_from_db()
        assert call.status == State.DONE  # back to the latest intervention not cancelled

    def test_refused_while_an_intervention_is_open(self, operator):
        call = make_call(by=operator)
        with pytest.raises(CallError, match="still has an open intervention"):
            services.add_follow_up_intervention(
                call=call, acting_user=operator, reason="Still leaks."
            )
        assert call.interventions.count() == 1


def test_call_status_derivation():
    derive = services.derive_call_status
    assert derive([State.DONE, State.NEW]) == State.NEW
    assert derive([State.DONE, State.CANCELLED]) == State.DONE
    assert derive([State.CANCELLED, State.CANCELLED]) == State.CANCELLED
    assert derive([State.RESOLVED_BY_PHONE]) == State.RESOLVED_BY_PHONE


class TestNotes:
    def test_each_note_keeps_author_and_time(self, technician):
        intervention = make_intervention(State.PLANNED, technician=technician)
        note = services.add_note(
            intervention=intervention,
            acting_user=technician,
            kind=NoteKind.REPORT,
            text="Replaced the belt.",
        )
        assert note.author == technician and note.created_at is not None

    def test_other_technicians_and_closed_interventions_refuse_notes(
        self, technician, other_technician, operator
    ):
        intervention = make_intervention(State.PLANNED, technician=technician)
        with pytest.raises(CallError):
            services.add_note(
                intervention=intervention,
                acting_user=other_technician,
                kind=NoteKind.INTERNAL,
                text="x",
            )
        cancelled = make_intervention(State.CANCELLED)
        with pytest.raises(CallError):
            services.add_note(
                intervention=cancelled, acting_user=operator, kind=NoteKind.INTERNAL, text="x"
            )


def test_unit_history_relation(operator):
    call = make_call(by=operator)
    assert Unit.objects.get(pk=call.unit_id).calls.get() == call
