"""Entries sent later by the phone's outbox (service_portal/offline.py): a JSON answer, the
submission token making a repeat harmless, the job's version refusing an entry typed on a copy
older than the office's change, and never one user's entry under another's session."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from calls import services
from calls.models import Expense, Intervention, InterventionNote, State
from planner.models import TimeEntry
from service_portal import offline
from tests.calls.factories import make_intervention, plan_with_visit
from tests.planner.factories import make_activity

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def job(technician, operator) -> Intervention:
    return plan_with_visit(make_intervention(State.QUOTED, technician=technician), operator)


def queued(client, user, url, data, **headers):
    return client.post(
        url,
        data,
        headers={offline.QUEUE_HEADER: "1", offline.USER_HEADER: str(user.pk), **headers},
    )


def note_url(job: Intervention) -> str:
    return reverse("calls:note_add", args=[job.call_id, job.number])


def note(job: Intervention, token: str, text: str = "Typed in the basement") -> dict:
    return {
        "note-submission_token": token,
        "note-kind": "report",
        "note-text": text,
        "record_version": str(job.version),
    }


def office_changes(job: Intervention, operator) -> None:
    fresh = Intervention.objects.get(pk=job.pk)
    services.fill_intervention_section(
        intervention=fresh,
        acting_user=operator,
        version=fresh.version,
        type=fresh.type,
        requested_date=fresh.requested_date,
        technician=fresh.technician,
        what_to_bring="The office's list",
    )


def test_a_queued_note_is_saved_and_answered_in_json(client_for, technician, job):
    response = queued(
        client_for(technician), technician, note_url(job), note(job, str(uuid.uuid4()))
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == offline.SAVED
    assert response.json()["version"] == Intervention.objects.get(pk=job.pk).version
    assert InterventionNote.objects.filter(intervention=job).count() == 1


def test_a_repeated_entry_is_saved_once(client_for, technician, job, operator):
    """The answer was lost on the way back: the phone sends the same entry again, even after
    the office changed the job meanwhile. The token wins: already saved, nothing doubled."""
    client = client_for(technician)
    data = note(job, str(uuid.uuid4()))
    assert queued(client, technician, note_url(job), data).json()["outcome"] == offline.SAVED
    office_changes(job, operator)
    again = queued(client, technician, note_url(job), data)
    assert again.status_code == 200
    assert again.json()["outcome"] == offline.ALREADY_SAVED
    assert InterventionNote.objects.filter(intervention=job).count() == 1


def test_an_entry_typed_on_an_older_copy_is_refused_with_409(client_for, technician, job, operator):
    office_changes(job, operator)
    response = queued(
        client_for(technician), technician, note_url(job), note(job, str(uuid.uuid4()))
    )
    assert response.status_code == 409
    assert response.json()["outcome"] == offline.CONFLICT
    assert "The office changed this job" in response.json()["message"]
    assert response.json()["version"] == Intervention.objects.get(pk=job.pk).version
    assert not InterventionNote.objects.filter(intervention=job).exists()
    assert Intervention.objects.get(pk=job.pk).what_to_bring == "The office's list"


def test_the_refused_token_is_free_again(client_for, technician, job, operator):
    """After the conflict, "send anyway" (no version) with the same token saves it, once."""
    office_changes(job, operator)
    client = client_for(technician)
    data = note(job, str(uuid.uuid4()))
    assert queued(client, technician, note_url(job), data).status_code == 409
    del data["record_version"]
    assert queued(client, technician, note_url(job), data).json()["outcome"] == offline.SAVED
    assert queued(client, technician, note_url(job), data).json()["outcome"] == (
        offline.ALREADY_SAVED
    )
    assert InterventionNote.objects.filter(intervention=job).count() == 1


def test_a_plain_form_on_a_stale_copy_is_told_on_the_page(client_for, technician, job, operator):
    office_changes(job, operator)
    data = note(job, str(uuid.uuid4()))
    response = client_for(technician).post(note_url(job), data)
    assert response.status_code == 200
    assert "The office changed this job" in response.content.decode()
    assert not InterventionNote.objects.filter(intervention=job).exists()


def test_a_form_error_is_refused_with_its_message(client_for, technician, job):
    data = note(job, str(uuid.uuid4()), text="   ")
    response = queued(client_for(technician), technician, note_url(job), data)
    assert response.status_code == 422
    assert response.json()["outcome"] == offline.REFUSED
    assert response.json()["message"]
    assert not InterventionNote.objects.exists()


def test_an_entry_of_another_user_is_never_sent_under_this_session(
    client_for, technician, other_technician, job
):
    client = client_for(technician)
    response = client.post(
        note_url(job),
        note(job, str(uuid.uuid4())),
        headers={offline.QUEUE_HEADER: "1", offline.USER_HEADER: str(other_technician.pk)},
    )
    assert response.status_code == 403
    assert response.json()["outcome"] == offline.WRONG_USER
    assert not InterventionNote.objects.exists()


def test_someone_elses_job_stays_404(client_for, other_technician, job):
    response = queued(
        client_for(other_technician), other_technician, note_url(job), note(job, str(uuid.uuid4()))
    )
    assert response.status_code == 404
    assert not InterventionNote.objects.exists()


def test_a_queued_expense_keeps_its_receipt_once(client_for, technician, job):
    client = client_for(technician)
    token = str(uuid.uuid4())
    url = reverse("calls:expense_add", args=[job.call_id, job.number])

    def send():
        return queued(
            client,
            technician,
            url,
            {
                "expense-submission_token": token,
                "expense-kind": "parking",
                "expense-date": timezone.localdate().isoformat(),
                "expense-amount": "4.50",
                "expense-receipt": SimpleUploadedFile("ticket.png", PNG, "image/png"),
                "record_version": str(job.version),
            },
        )

    assert send().json()["outcome"] == offline.SAVED
    assert send().json()["outcome"] == offline.ALREADY_SAVED
    expense = Expense.objects.get(intervention=job)
    assert expense.receipt.read().startswith(b"\x89PNG")


def hours(job: Intervention, token: str) -> dict:
    return {
        "submission_token": token,
        "date": timezone.localdate().isoformat(),
        "kind": "labour",
        "start_time": "08:00",
        "end_time": "10:00",
        "description": "Basement",
        "record_version": str(job.version),
    }


def test_queued_hours_are_saved_once_and_checked_against_the_job(
    client_for, technician, job, operator
):
    client = client_for(technician)
    url = reverse("planner:intervention_hours", args=[job.pk])
    data = hours(job, str(uuid.uuid4()))
    first = queued(client, technician, url, data)
    assert first.json()["outcome"] == offline.SAVED, first.json()
    assert queued(client, technician, url, data).json()["outcome"] == offline.ALREADY_SAVED
    assert TimeEntry.objects.filter(intervention=job).count() == 1

    office_changes(job, operator)
    stale = queued(client, technician, url, hours(job, str(uuid.uuid4())))
    assert stale.status_code == 409
    assert TimeEntry.objects.filter(intervention=job).count() == 1


def test_the_phone_keeps_only_todays_and_tomorrows_own_jobs(
    client_for, technician, other_technician, operator, job, django_assert_max_num_queries
):
    later = make_intervention(State.PLANNED, technician=technician)
    start = timezone.now() + datetime.timedelta(days=5)
    make_activity(technician, "intervention", start=start, intervention=later)
    someone_elses = plan_with_visit(
        make_intervention(State.QUOTED, technician=other_technician), operator
    )
    client = client_for(technician)
    with django_assert_max_num_queries(8):
        answer = client.get(reverse("planner:offline_pages")).json()
    assert job.get_absolute_url() in answer["pages"]
    assert reverse("planner:my_calendar") in answer["pages"]
    assert later.get_absolute_url() not in answer["pages"]
    assert someone_elses.get_absolute_url() not in answer["pages"]
    assert answer["fragments"] == [reverse("planner:intervention_hours", args=[job.pk])]


def test_logging_out_tells_the_browser_to_forget_the_portal(client_for, technician):
    response = client_for(technician).post(reverse("accounts:logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_service_worker_covers_the_portal_and_loads_only_its_files(client):
    response = client.get(reverse("service_worker"))
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "vendor/workbox/workbox-sw.js" in body
    assert "https://" not in body and "http://" not in body


def test_the_manifest_is_in_the_readers_language(client):
    response = client.get(reverse("manifest"), HTTP_ACCEPT_LANGUAGE="it")
    data = response.json()
    assert response["Content-Type"] == "application/manifest+json"
    assert data["lang"] == "it"
    assert data["start_url"] == "/"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
