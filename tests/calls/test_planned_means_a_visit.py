"""Issue 20, item 3: "planned" means a visit. The map, its diagram in docs/calls.md (also checked
by tests/test_state_diagrams.py) and the routes agree: no route reaches planned without one."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from calls import services
from calls.access import TRANSITIONS
from calls.diagram import mermaid_state_diagram
from calls.models import Call, Intervention, State
from calls.services import MANUAL_TARGETS, VISIT_REQUIRED, CallError
from planner import services as planner_services
from planner.models import Activity
from planner.services import PlannerError
from tests.calls.factories import make_intervention

DOC = Path(settings.BASE_DIR) / "docs" / "calls.md"


def test_the_diagram_in_the_docs_is_the_transition_map():
    diagram = mermaid_state_diagram()
    assert diagram in DOC.read_text()
    for from_state, targets in TRANSITIONS.items():
        for to_state in targets:
            assert f"    {from_state} --> {to_state}: " in diagram


def test_every_way_into_planned_before_the_visit_needs_a_visit():
    into_planned = {(f, t) for f, targets in TRANSITIONS.items() for t in targets if t == "planned"}
    # Only sending back (done -> planned) keeps the visit that was already made.
    assert into_planned - VISIT_REQUIRED == {(State.DONE, State.PLANNED)}
    assert State.PLANNED not in MANUAL_TARGETS  # no bare "planned" button
    assert "expected --> planned: AO, visit" in DOC.read_text()


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", [State.EXPECTED, State.QUOTED])
def test_the_service_refuses_planned_without_a_visit(state, operator, administrator, technician):
    intervention = make_intervention(state, technician=technician)
    for user in (operator, administrator):
        with pytest.raises(CallError, match="visit on the planner"):
            services.transition(intervention=intervention, to_state=State.PLANNED, acting_user=user)
    assert Intervention.objects.get(pk=intervention.pk).state == state


def test_no_page_route_reaches_planned_without_a_visit(client_for, administrator, technician):
    """Every route of the management page that changes a state, tried with 'planned'."""
    intervention = make_intervention(State.EXPECTED, technician=technician)
    client = client_for(administrator)
    args = [intervention.call_id, intervention.number]
    page = client.get(reverse("calls:manage", args=args)).content.decode()
    assert 'data-testid="to-planned"' not in page
    for name, data in (
        ("calls:transition", {"to_state": "planned", "reason": "x"}),
        ("calls:intervention_update", {"intervention-state": "planned"}),
        ("calls:resolve_by_phone", {"reason": "x"}),
        ("calls:follow_up", {}),
        ("calls:complete", {"signature": "", "signed_by": "X"}),
    ):
        client.post(reverse(name, args=args), data)
        assert Intervention.objects.get(pk=intervention.pk).state != State.PLANNED, name
    for name in ("invoicing:send_back", "invoicing:reopen", "invoicing:verify"):
        client.post(reverse(name, args=[intervention.pk]), {"reason": "x"})
        assert Intervention.objects.get(pk=intervention.pk).state != State.PLANNED, name
    assert not Activity.objects.filter(intervention=intervention).exists()


def _tomorrow(hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_planning_a_visit_plans_and_tells_the_technician(operator, technician, mailoutbox):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    with_visit = planner_services.plan_intervention(
        intervention=intervention,
        technician=technician,
        start=_tomorrow(),
        end=_tomorrow(11),
        acting_user=operator,
    )
    assert with_visit.saved and not with_visit.activity.recorded_afterwards
    assert Intervention.objects.get(pk=intervention.pk).state == State.PLANNED


def test_a_visit_before_the_call_was_received_is_refused(operator, technician):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    received = timezone.now() - datetime.timedelta(days=2)
    Call.objects.filter(pk=intervention.call_id).update(received_at=received)
    start = received - datetime.timedelta(hours=3)
    for confirm in (False, True):
        with pytest.raises(PlannerError, match="before the call was received"):
            planner_services.plan_intervention(
                intervention=intervention,
                technician=technician,
                start=start,
                end=start + datetime.timedelta(hours=1),
                acting_user=operator,
                confirm=confirm,
            )
    assert Intervention.objects.get(pk=intervention.pk).state == State.EXPECTED
    assert not Activity.objects.exists()


def test_a_visit_in_the_past_needs_a_confirmation_and_is_marked(operator, technician):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    Call.objects.filter(pk=intervention.call_id).update(
        received_at=timezone.now() - datetime.timedelta(days=5)
    )
    start = timezone.now() - datetime.timedelta(days=1)
    end = start + datetime.timedelta(hours=2)
    held = planner_services.plan_intervention(
        intervention=intervention, technician=technician, start=start, end=end, acting_user=operator
    )
    assert not held.saved
    assert any("visit already made" in w for w in held.warnings)
    assert Intervention.objects.get(pk=intervention.pk).state == State.EXPECTED
    done = planner_services.plan_intervention(
        intervention=intervention,
        technician=technician,
        start=start,
        end=end,
        acting_user=operator,
        confirm=True,
    )
    assert done.saved and done.activity.recorded_afterwards
    assert Intervention.objects.get(pk=intervention.pk).state == State.PLANNED


def test_moving_a_visit_before_the_call_was_received_is_refused(operator, technician):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    result = planner_services.plan_intervention(
        intervention=intervention,
        technician=technician,
        start=_tomorrow(),
        end=_tomorrow(10),
        acting_user=operator,
    )
    activity = result.activity
    received = Call.objects.get(pk=intervention.call_id).received_at
    with pytest.raises(PlannerError, match="before the call was received"):
        planner_services.update_activity(
            activity=activity,
            acting_user=operator,
            version=activity.version,
            technician=technician,
            start=received - datetime.timedelta(days=1),
            end=received - datetime.timedelta(days=1) + datetime.timedelta(hours=1),
            confirm=True,
        )


def test_the_planning_form_asks_to_confirm_a_past_visit(client_for, operator, technician):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    Call.objects.filter(pk=intervention.call_id).update(
        received_at=timezone.now() - datetime.timedelta(days=5)
    )
    day = timezone.localdate() - datetime.timedelta(days=2)
    response = client_for(operator).post(
        reverse("planner:plan", args=[intervention.pk]),
        {
            "technician": technician.pk,
            "date": day.isoformat(),
            "start_time": "09:00",
            "end_time": "11:00",
            "submission_token": "4a1d9a0e-0000-4000-8000-000000000001",
        },
    )
    assert response.status_code == 200
    assert "visit already made" in response.content.decode()
    assert Intervention.objects.get(pk=intervention.pk).state == State.EXPECTED
