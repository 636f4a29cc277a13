"""A double-clicked (or retried) create form makes one record: notes, expenses, corrections,
activities and hours carry a submission token (service_portal.idempotency)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from calls.models import Expense, InterventionNote, State
from invoicing.models import Correction
from planner.models import Activity, TimeEntry
from tests.calls.factories import make_intervention
from tests.invoicing.factories import make_done_intervention
from tests.planner.factories import make_activity, next_monday, yesterday

pytestmark = pytest.mark.django_db

ALREADY = "This form had already been saved"


def _twice(client, url, data):
    token = str(uuid.uuid4())
    first = client.post(url, {**data, "submission_token": token}, follow=True)
    second = client.post(url, {**data, "submission_token": token}, follow=True)
    return first, second


def _prefixed(prefix, data):
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_a_note_sent_twice_is_added_once(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    url = reverse("calls:note_add", args=[intervention.call_id, intervention.number])
    token = str(uuid.uuid4())
    data = {
        "note-kind": "internal",
        "note-text": "Bring the ladder",
        "note-submission_token": token,
    }
    technician_client.post(url, data)
    second = technician_client.post(url, data, follow=True)
    assert InterventionNote.objects.filter(text="Bring the ladder").count() == 1
    assert ALREADY in second.content.decode()


def test_a_refused_note_frees_its_token_for_the_corrected_one(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    url = reverse("calls:note_add", args=[intervention.call_id, intervention.number])
    token = str(uuid.uuid4())
    technician_client.post(
        url, {"note-kind": "bogus", "note-text": "x", "note-submission_token": token}
    )
    technician_client.post(
        url, {"note-kind": "internal", "note-text": "Fixed", "note-submission_token": token}
    )
    assert InterventionNote.objects.filter(text="Fixed").count() == 1


def test_an_expense_sent_twice_is_recorded_once(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    url = reverse("calls:expense_add", args=[intervention.call_id, intervention.number])
    data = _prefixed(
        "expense",
        {
            "kind": "meal",
            "date": str(yesterday()),
            "amount": "12.50",
            "submission_token": str(uuid.uuid4()),
        },
    )
    technician_client.post(url, data)
    technician_client.post(url, data)
    assert Expense.objects.count() == 1


def test_a_correction_sent_twice_is_recorded_once(admin_client_):
    intervention = make_done_intervention()
    url = reverse("invoicing:correction_add", args=[intervention.pk])
    _first, second = _twice(
        admin_client_, url, {"kind": "labour", "quantity": "3", "reason": "Training"}
    )
    assert Correction.objects.count() == 1
    assert ALREADY in second.content.decode()


def test_an_activity_sent_twice_is_added_once(technician_client, technician):
    url = reverse("planner:day", args=[technician.pk, str(next_monday())])
    data = {
        "technician": technician.pk,
        "kind": "office",
        "date": str(next_monday()),
        "start_time": "14:00",
        "end_time": "15:00",
    }
    _first, second = _twice(technician_client, url, data)
    assert Activity.objects.count() == 1
    assert ALREADY in second.content.decode()


def test_an_activity_with_warnings_can_still_be_confirmed(technician_client, technician):
    from tests.planner.factories import at

    make_activity(technician, start=at(next_monday(), 14), notes="existing")
    url = reverse("planner:day", args=[technician.pk, str(next_monday())])
    data = {
        "technician": technician.pk,
        "kind": "office",
        "date": str(next_monday()),
        "start_time": "14:30",
        "end_time": "15:00",
        "submission_token": str(uuid.uuid4()),
    }
    warned = technician_client.post(url, data)
    assert warned.status_code == 200 and Activity.objects.count() == 1  # overlap: confirm
    confirmed = technician_client.post(url, {**data, "confirm": "on"})
    assert confirmed.status_code == 302
    assert Activity.objects.count() == 2


def test_hours_sent_twice_are_recorded_once(technician_client, technician):
    url = reverse("planner:hours_day", args=[str(yesterday())])
    data = {"date": str(yesterday()), "kind": "office", "hours": "2", "description": "Paper"}
    _first, second = _twice(technician_client, url, data)
    assert TimeEntry.objects.count() == 1
    assert ALREADY in second.content.decode()


def test_intervention_hours_sent_twice_are_recorded_once(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    url = reverse("planner:intervention_hours", args=[intervention.pk])
    data = {"date": str(yesterday()), "kind": "labour", "hours": "3"}
    _twice(technician_client, url, data)
    assert TimeEntry.objects.count() == 1
