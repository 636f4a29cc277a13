"""A wrong role (or someone else's record) is always a ``PermissionDenied``: every service of
calls, planner and invoicing refuses it with its app's ``RoleRefused``, which is also the app's
domain error, so the pages that show domain errors keep showing the sentence, and one that
nobody catches is a 403. State preconditions and bad values stay plain domain errors."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from calls import services as call_services
from calls.models import Call, Intervention, InterventionNote, NoteKind, State
from calls.services import CallError, CallRoleRefused, actuals
from invoicing import credits as invoicing_credits
from invoicing import services as invoicing_services
from invoicing.models import Invoice
from invoicing.services import InvoicingError, InvoicingRoleRefused
from planner import services as planner_services
from planner.models import Activity, ActivityKind, TimeEntry, WorkKind
from planner.services import PlannerError, PlannerRoleRefused
from service_portal.errors import DomainError, RoleRefused
from tests.calls.factories import (
    first_intervention,
    make_call,
    make_intervention,
    make_intervention_type,
)
from tests.invoicing.factories import make_done_intervention, make_verified_call
from tests.planner.factories import (
    at,
    make_activity,
    make_entry,
    make_planned,
    next_monday,
    yesterday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _refused(call: Callable[[], Any], app_error: type[DomainError], sentence: str) -> None:
    """``call`` is refused as a PermissionDenied that is also the app's error, with its text."""
    with pytest.raises(PermissionDenied) as caught:
        call()
    error = caught.value
    assert isinstance(error, RoleRefused) and isinstance(error, app_error)
    assert sentence in error.message


def _not_a_role_refusal(call: Callable[[], Any], app_error: type[DomainError], sentence: str):
    with pytest.raises(app_error) as caught:
        call()
    assert not isinstance(caught.value, PermissionDenied)
    assert sentence in caught.value.message


def test_the_refusal_is_a_domain_error_and_a_permission_denied():
    for refusal, app_error in (
        (CallRoleRefused, CallError),
        (PlannerRoleRefused, PlannerError),
        (InvoicingRoleRefused, InvoicingError),
    ):
        error = refusal("Your role may not do this.")
        assert isinstance(error, DomainError) and isinstance(error, app_error)
        assert isinstance(error, PermissionDenied)
        assert error.messages == ["Your role may not do this."] and error.field is None


# --- Calls ------------------------------------------------------------------------------------
def test_a_technician_is_refused_every_office_action_on_calls(technician):
    call = make_call()
    intervention = first_intervention(call)
    version = intervention.version
    _refused(
        lambda: call_services.create_call(
            acting_user=technician,
            customer=call.customer,
            site=call.site,
            description="Opened by the wrong person.",
        ),
        CallError,
        "Your role may not do this.",
    )
    _refused(
        lambda: call_services.update_call(
            call=call,
            acting_user=technician,
            version=call.version,
            site=call.site,
            contact=call.contact,
            unit=call.unit,
            description="Changed by the wrong person.",
            channel=call.channel,
            priority=call.priority,
            received_at=call.received_at,
        ),
        CallError,
        "Your role may not do this.",
    )
    _refused(
        lambda: call_services.fill_intervention_section(
            intervention=intervention,
            acting_user=technician,
            version=version,
            type=make_intervention_type(),
            requested_date=datetime.date(2026, 12, 1),
            technician=technician,
        ),
        CallError,
        "Your role may not do this.",
    )
    _refused(
        lambda: call_services.resolve_by_phone(call=call, acting_user=technician, solution="x"),
        CallError,
        "Your role may not do this.",
    )
    _refused(
        lambda: call_services.add_follow_up_intervention(
            call=call, acting_user=technician, reason="x"
        ),
        CallError,
        "Your role may not do this.",
    )
    _refused(
        lambda: call_services.quote_intervention(
            intervention=intervention, price_list=None, acting_user=technician
        ),
        CallError,
        "Your role may not do this.",
    )
    _refused(
        lambda: call_services.transition(
            intervention=intervention, to_state=State.CANCELLED, acting_user=technician
        ),
        CallError,
        "Your role may not move an intervention",
    )
    assert Call.objects.count() == 1
    intervention.refresh_from_db()
    assert (intervention.state, intervention.version) == (State.NEW, version)


def test_someone_elses_intervention_is_refused_to_a_technician(technician, other_technician):
    planned = make_intervention(State.PLANNED, technician=technician)
    _refused(
        lambda: call_services.transition(
            intervention=planned, to_state=State.DONE, acting_user=other_technician
        ),
        CallError,
        "This intervention is not assigned to you.",
    )
    _refused(
        lambda: call_services.add_note(
            intervention=planned, acting_user=other_technician, kind=NoteKind.REPORT, text="Hi"
        ),
        CallError,
        "You may not add notes to this intervention.",
    )
    _refused(
        lambda: actuals.add_expense(
            intervention=planned,
            acting_user=other_technician,
            kind="meal",
            date=yesterday(),
            amount=Decimal("12"),
        ),
        CallError,
        "This intervention is not assigned to you.",
    )
    _refused(
        lambda: actuals.add_part(
            intervention=planned,
            acting_user=other_technician,
            spare_part=None,
            quantity=Decimal("1"),
        ),
        CallError,
        "This intervention is not assigned to you.",
    )
    _refused(
        lambda: actuals.complete_intervention(
            intervention=planned,
            acting_user=other_technician,
            signature_png=b"\x89PNG",
            signed_by="Mario Rossi",
        ),
        CallError,
        "This intervention is not assigned to you.",
    )
    planned.refresh_from_db()
    assert planned.state == State.PLANNED and not InterventionNote.objects.exists()


def test_an_operator_does_not_complete_a_visit_the_customer_signs(operator, technician):
    planned = make_intervention(State.PLANNED, technician=technician)
    _refused(
        lambda: actuals.complete_intervention(
            intervention=planned,
            acting_user=operator,
            signature_png=b"\x89PNG",
            signed_by="Mario Rossi",
        ),
        CallError,
        "Only the assigned technician or an administrator completes it.",
    )


def test_a_closed_intervention_or_a_missing_reason_is_not_a_role_refusal(operator, technician):
    cancelled = make_intervention(State.CANCELLED, technician=technician)
    _not_a_role_refusal(
        lambda: call_services.add_note(
            intervention=cancelled, acting_user=operator, kind=NoteKind.INTERNAL, text="Late"
        ),
        CallError,
        "You may not add notes to this intervention.",
    )
    expected = make_intervention(State.EXPECTED, technician=technician)
    _not_a_role_refusal(
        lambda: call_services.transition(
            intervention=expected, to_state=State.DONE, acting_user=operator
        ),
        CallError,
        "An intervention cannot go from",
    )


# --- Planner ----------------------------------------------------------------------------------
def test_a_technician_is_refused_the_office_planning_and_other_planners(
    technician, other_technician
):
    day = next_monday()
    intervention = make_intervention(State.EXPECTED)
    _refused(
        lambda: planner_services.plan_intervention(
            intervention=intervention,
            technician=technician,
            start=at(day, 9),
            end=at(day, 12),
            acting_user=technician,
        ),
        PlannerError,
        "Interventions are planned by the office.",
    )
    _refused(
        lambda: planner_services.create_activity(
            acting_user=other_technician,
            technician=technician,
            kind=ActivityKind.OFFICE,
            start=at(day, 14),
            end=at(day, 15),
        ),
        PlannerError,
        "You may only change your own planner.",
    )
    theirs = make_activity(technician, start=at(day, 16), end=at(day, 17))
    _refused(
        lambda: planner_services.update_activity(
            activity=theirs,
            acting_user=other_technician,
            version=theirs.version,
            technician=technician,
            start=at(day, 17),
            end=at(day, 18),
        ),
        PlannerError,
        "You may only change your own planner.",
    )
    _refused(
        lambda: planner_services.delete_activity(activity=theirs, acting_user=other_technician),
        PlannerError,
        "You may only change your own planner.",
    )
    planned = make_planned(technician)
    _refused(
        lambda: planner_services.delete_activity(activity=planned, acting_user=technician),
        PlannerError,
        "Interventions are planned by the office.",
    )
    intervention.refresh_from_db()
    assert intervention.state == State.EXPECTED
    assert Activity.objects.count() == 2


def test_a_technician_records_only_their_own_hours_on_their_own_interventions(
    technician, other_technician
):
    entry = make_entry(technician)
    _refused(
        lambda: planner_services.record_time_entry(
            acting_user=other_technician,
            user=technician,
            date=yesterday(),
            kind=WorkKind.OFFICE,
            hours=Decimal("1"),
            description="Someone else's day",
        ),
        PlannerError,
        "You may only record your own hours.",
    )
    _refused(
        lambda: planner_services.update_time_entry(
            entry=entry,
            acting_user=other_technician,
            version=entry.version,
            date=yesterday(),
            kind=WorkKind.OFFICE,
            hours=Decimal("8"),
            description="Paperwork",
        ),
        PlannerError,
        "You may only record your own hours.",
    )
    _refused(
        lambda: planner_services.delete_time_entry(entry=entry, acting_user=other_technician),
        PlannerError,
        "You may only record your own hours.",
    )
    not_mine = make_intervention(State.PLANNED, technician=technician)
    _refused(
        lambda: planner_services.record_time_entry(
            acting_user=other_technician,
            user=other_technician,
            date=yesterday(),
            kind=WorkKind.LABOUR,
            hours=Decimal("2"),
            intervention=not_mine,
        ),
        PlannerError,
        "is not assigned to you.",
    )
    assert list(TimeEntry.objects.values_list("hours", flat=True)) == [Decimal("2")]


def test_a_future_day_is_not_a_role_refusal(technician):
    _not_a_role_refusal(
        lambda: planner_services.record_time_entry(
            acting_user=technician,
            user=technician,
            date=timezone.localdate() + datetime.timedelta(days=2),
            kind=WorkKind.OFFICE,
            hours=Decimal("1"),
            description="Tomorrow's paperwork",
        ),
        PlannerError,
        "future day",
    )


# --- Invoicing --------------------------------------------------------------------------------
def test_only_an_administrator_verifies_and_invoices(administrator, operator):
    done = make_done_intervention()
    verified_call = make_verified_call()
    draft = invoicing_services.create_draft(calls=[verified_call], acting_user=administrator)
    sentence = "Only administrators may verify and invoice."
    for attempt in (
        lambda: invoicing_services.add_correction(
            intervention=done,
            line="labour:normal",
            acting_user=operator,
            reason="Fewer hours",
            quantity=Decimal("1"),
        ),
        lambda: invoicing_services.verify(intervention=done, acting_user=operator),
        lambda: invoicing_services.send_back(
            intervention=done, acting_user=operator, reason="Missing photo"
        ),
        lambda: invoicing_services.reopen(
            intervention=done, acting_user=operator, reason="Wrong hours"
        ),
        lambda: invoicing_services.create_draft(calls=[verified_call], acting_user=operator),
        lambda: invoicing_services.discard_draft(invoice=draft, acting_user=operator),
        lambda: invoicing_services.issue(invoice=draft, acting_user=operator),
        lambda: invoicing_credits.issue_credit_note(
            invoice=draft, acting_user=operator, reason="Wrong customer"
        ),
    ):
        _refused(attempt, InvoicingError, sentence)
    done.refresh_from_db()
    assert done.state == State.DONE
    assert list(Invoice.objects.values_list("state", flat=True)) == ["draft"]


def test_an_administrator_verifying_a_planned_intervention_is_not_a_role_refusal(
    administrator, technician
):
    planned = make_intervention(State.PLANNED, technician=technician)
    _not_a_role_refusal(
        lambda: invoicing_services.verify(intervention=planned, acting_user=administrator),
        InvoicingError,
        "Only interventions marked done",
    )


def test_a_refusal_passed_on_from_calls_stays_a_role_refusal():
    # Planner and invoicing turn the intervention's refusals into their own error.
    assert isinstance(
        invoicing_services._from_call_error(CallRoleRefused("Not yours.")), InvoicingRoleRefused
    )
    plain = invoicing_services._from_call_error(CallError("Not now."))
    assert not isinstance(plain, PermissionDenied) and plain.message == "Not now."


# --- Pages ------------------------------------------------------------------------------------
def test_a_page_that_shows_the_domain_error_still_shows_the_role_refusal(
    technician_client, technician
):
    planned = make_planned(technician)
    response = technician_client.post(
        reverse("planner:activity_delete", args=[planned.pk]), follow=True
    )
    assert response.status_code == 200
    assert "Interventions are planned by the office." in response.content.decode()
    assert Activity.objects.filter(pk=planned.pk).exists()


def test_a_role_refusal_nobody_catches_is_a_403(technician, rf):
    from django.core.handlers.exception import response_for_exception

    with pytest.raises(PermissionDenied) as caught:
        planner_services.plan_intervention(
            intervention=make_intervention(State.EXPECTED),
            technician=technician,
            start=at(next_monday(), 9),
            end=at(next_monday(), 10),
            acting_user=technician,
        )
    response = response_for_exception(rf.get("/"), caught.value)
    assert response.status_code == 403
    assert Intervention.objects.get().state == State.EXPECTED
