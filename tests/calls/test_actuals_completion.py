"""Completion: the customer signs, the intervention is done, the report PDF and its e-mail."""

from __future__ import annotations

import base64
import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from calls import services
from calls.models import State
from calls.services import CallError, actuals
from planner.models import TimeEntry
from service_portal import offline
from tests.calls.factories import make_intervention, plan_with_visit
from tests.orders.factories import make_part

pytestmark = pytest.mark.django_db

# A real 1×1 PNG (WeasyPrint decodes it when it draws the report).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
DAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(name, intervention):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number])


def _ready(technician, operator):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    plan_with_visit(intervention, operator)
    TimeEntry.objects.create(
        user=technician,
        date=DAY,
        hours=Decimal("3.5"),
        kind="labour",
        intervention=intervention,
        created_by=technician,
        description="Replaced the pump",
    )
    services.add_note(
        intervention=intervention,
        acting_user=technician,
        kind="report",
        text="Pump replaced, machine tested OK.",
    )
    actuals.add_part(
        intervention=intervention,
        acting_user=technician,
        spare_part=make_part("PUMP-77"),
        quantity=Decimal("1"),
    )
    actuals.add_expense(
        intervention=intervention,
        acting_user=technician,
        kind="toll",
        date=DAY,
        amount=Decimal("7.40"),
    )
    return intervention


def test_completion_needs_hours_and_the_report(technician, operator):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    plan_with_visit(intervention, operator)
    with pytest.raises(CallError, match="time entry"):
        actuals.complete_intervention(
            intervention=intervention, acting_user=technician, signature_png=PNG, signed_by="X"
        )


def test_completion_needs_a_signature_and_a_name(technician, operator):
    intervention = _ready(technician, operator)
    with pytest.raises(CallError, match="signature"):
        actuals.complete_intervention(
            intervention=intervention, acting_user=technician, signature_png=b"", signed_by="X"
        )
    with pytest.raises(CallError, match="name"):
        actuals.complete_intervention(
            intervention=intervention, acting_user=technician, signature_png=PNG, signed_by=" "
        )


def test_another_technician_cannot_complete(technician, other_technician, operator):
    intervention = _ready(technician, operator)
    with pytest.raises(CallError):
        actuals.complete_intervention(
            intervention=intervention,
            acting_user=other_technician,
            signature_png=PNG,
            signed_by="Mario Rossi",
        )
    with pytest.raises(CallError):
        actuals.complete_intervention(
            intervention=intervention, acting_user=operator, signature_png=PNG, signed_by="M"
        )


def test_signing_completes_and_the_report_reads_back(client_for, technician, operator):
    intervention = _ready(technician, operator)
    customer = intervention.call.customer
    customer.language = "it"
    customer.save()
    client = client_for(technician)
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    response = client.post(
        _url("complete", intervention),
        {"signature": data_url, "signed_by": "Mario Rossi", "submission_token": uuid.uuid4()},
    )
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.state == State.DONE
    assert intervention.signed_by == "Mario Rossi"
    assert intervention.signature.read().startswith(b"\x89PNG")
    pdf = client.get(_url("report_pdf", intervention))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Rapportino di intervento" in text  # the customer's language
    assert intervention.code in text
    assert customer.name in text
    assert "PUMP-77" in text
    assert "Pump replaced, machine tested OK." in text
    assert "7,40" in text  # Italian number format
    assert "Mario Rossi" in text


def _signed(token, **extra):
    signature = "data:image/png;base64," + base64.b64encode(PNG).decode()
    return {"signature": signature, "signed_by": "Mario Rossi", "submission_token": token, **extra}


def test_a_double_tap_on_signed_is_told_already_saved_not_refused(client_for, technician, operator):
    intervention = _ready(technician, operator)
    client = client_for(technician)
    token = str(uuid.uuid4())
    assert client.post(_url("complete", intervention), _signed(token)).status_code == 302
    signed_at = type(intervention).objects.get(pk=intervention.pk).signed_at
    again = client.post(_url("complete", intervention), _signed(token), follow=True)
    page = again.content.decode()
    assert "This form had already been saved: nothing was created twice." in page
    assert 'data-testid="completion-error"' not in page
    intervention.refresh_from_db()
    assert intervention.state == State.DONE and intervention.signed_at == signed_at


def test_a_completion_replayed_by_the_outbox_answers_already_saved(
    client_for, technician, operator
):
    """The answer was lost on the way back: the phone sends the signature again, with the same
    token and the job's version it was typed on. Already saved (200), signed once."""
    intervention = _ready(technician, operator)
    client = client_for(technician)
    data = _signed(str(uuid.uuid4()), record_version=str(intervention.version))
    headers = {offline.QUEUE_HEADER: "1", offline.USER_HEADER: str(technician.pk)}
    first = client.post(_url("complete", intervention), data, headers=headers)
    assert first.status_code == 200 and first.json()["outcome"] == offline.SAVED
    signed_at = type(intervention).objects.get(pk=intervention.pk).signed_at
    again = client.post(_url("complete", intervention), data, headers=headers)
    assert again.status_code == 200, again.content
    assert again.json()["outcome"] == offline.ALREADY_SAVED
    intervention.refresh_from_db()
    assert intervention.state == State.DONE and intervention.signed_at == signed_at
    # Another completion (a new token) of the signed job is refused, as before.
    other = client.post(_url("complete", intervention), _signed(str(uuid.uuid4())), headers=headers)
    assert other.status_code == 422 and other.json()["outcome"] == offline.REFUSED


def test_a_completion_without_its_token_is_refused_and_the_form_gets_a_new_one(
    client_for, technician, operator
):
    intervention = _ready(technician, operator)
    client = client_for(technician)
    response = client.post(_url("complete", intervention), _signed(""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "could not be checked against double sending" in page
    assert 'name="submission_token"' in page
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED and intervention.signed_at is None


def test_the_report_is_emailed_with_the_pdf(
    client_for, technician, operator, django_capture_on_commit_callbacks
):
    intervention = _ready(technician, operator)
    actuals.complete_intervention(
        intervention=intervention, acting_user=technician, signature_png=PNG, signed_by="Anna"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(operator).post(_url("report_send", intervention))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [intervention.call.contact.email]
    (name, content, mime) = message.attachments[0]
    assert name.endswith(".pdf")
    assert mime == "application/pdf"
    assert content.startswith(b"%PDF")


def test_no_report_before_signing(client_for, technician, operator):
    intervention = _ready(technician, operator)
    assert client_for(technician).get(_url("report_pdf", intervention)).status_code == 404


def test_the_page_offers_the_signature_pad(client_for, technician, operator):
    intervention = _ready(technician, operator)
    page = client_for(technician).get(_url("manage", intervention)).content.decode()
    assert 'data-testid="signature-pad"' in page
    assert "calls/signature.js" in page


@pytest.mark.parametrize(
    "signature",
    ["", "data:image/png;base64,!!!not-base64", "data:image/gif;base64,R0lGOD", "x" * 100],
)
def test_a_garbage_signature_is_refused(client_for, technician, operator, signature):
    intervention = _ready(technician, operator)
    response = client_for(technician).post(
        _url("complete", intervention),
        {"signature": signature, "signed_by": "Mario", "submission_token": uuid.uuid4()},
    )
    assert response.status_code == 200
    assert "signature is missing" in response.content.decode()
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED


def test_another_technician_gets_404_on_the_new_pages(
    client_for, technician, other_technician, operator
):
    intervention = _ready(technician, operator)
    client = client_for(other_technician)
    assert client.get(_url("part_search", intervention), {"q": "pump"}).status_code == 404
    assert client.post(_url("complete", intervention), {"signed_by": "x"}).status_code == 404
    assert client.post(_url("expense_add", intervention)).status_code == 404
