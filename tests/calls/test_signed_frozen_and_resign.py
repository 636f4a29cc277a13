"""Issue 20, items 1 and 2: a signature freezes the intervention; sending it back supersedes
the signature (kept with its report), tells the technician why and lets them sign again."""

from __future__ import annotations

import datetime
import hashlib
import io
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from calls import services
from calls.models import Intervention, SignedReport, State
from calls.services import CallError, actuals
from invoicing import services as invoicing
from invoicing.services import InvoicingError
from planner import services as planner_services
from planner.models import TimeEntry
from planner.services import PlannerError
from tests.calls.test_actuals_completion import PNG, _ready
from tests.factories import make_user
from tests.orders.factories import make_part

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(name, intervention, *extra):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number, *extra])


def _sign(intervention, technician, name="Mario Rossi"):
    return actuals.complete_intervention(
        intervention=intervention, acting_user=technician, signature_png=PNG, signed_by=name
    )


@pytest.fixture
def signed(technician, operator):
    intervention = _ready(technician, operator)
    _sign(intervention, technician)
    intervention.refresh_from_db()
    return intervention


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# --- Signed means frozen ----------------------------------------------------------------------
def test_after_the_signature_nobody_changes_hours_expenses_parts_or_the_report(
    signed, technician, operator, administrator
):
    late = make_part("LATE-1")
    for user in (technician, operator, administrator):
        with pytest.raises(CallError, match="customer signed"):
            actuals.add_expense(
                intervention=signed, acting_user=user, kind="toll", date=DAY, amount=Decimal("3")
            )
        with pytest.raises(CallError, match="customer signed"):
            actuals.add_part(
                intervention=signed,
                acting_user=user,
                spare_part=late,
                quantity=Decimal(1),
            )
        with pytest.raises(CallError, match="customer signed"):
            actuals.remove_part(part=signed.parts_used.first(), acting_user=user)
        with pytest.raises(CallError, match="customer signed"):
            services.add_note(intervention=signed, acting_user=user, kind="report", text="More")
    for user in (technician, administrator):  # an operator records no one's hours anyway
        with pytest.raises(PlannerError, match="signed by the customer"):
            planner_services.record_time_entry(
                acting_user=user,
                user=technician,
                date=DAY,
                hours=Decimal("1"),
                kind="labour",
                intervention=signed,
            )
    entry = TimeEntry.objects.get(intervention=signed)
    with pytest.raises(PlannerError, match="signed by the customer"):
        planner_services.delete_time_entry(entry=entry, acting_user=administrator)
    # An internal note is not part of what the customer signed.
    services.add_note(intervention=signed, acting_user=operator, kind="internal", text="Called")


def test_the_page_hides_the_forms_and_says_why(client_for, signed, technician, operator):
    for user in (technician, operator):
        page = client_for(user).get(_url("manage", signed)).content.decode()
        assert 'data-testid="actuals-frozen"' in page
        assert "The customer signed this intervention" in page
        assert 'name="expense-kind"' not in page
        assert 'value="report"' not in page  # no more report notes
        assert 'value="internal"' in page


def test_a_posted_expense_after_signing_is_refused_with_a_message(client_for, signed, technician):
    response = client_for(technician).post(
        _url("expense_add", signed),
        {
            "expense-kind": "toll",
            "expense-date": DAY.isoformat(),
            "expense-amount": "99",
            "expense-submission_token": str(uuid.uuid4()),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "The customer signed this intervention" in response.content.decode()
    assert not signed.expenses.filter(amount=Decimal("99")).exists()


def test_the_report_is_rendered_once_and_downloads_the_same_bytes(client_for, signed, technician):
    client = client_for(technician)
    first = client.get(_url("report_pdf", signed)).content
    second = client.get(_url("report_pdf", signed)).content
    assert first == second
    version = SignedReport.objects.get(intervention=signed)
    assert version.pdf_sha256 == hashlib.sha256(first).hexdigest()
    text = _text(first).replace("\n", "")
    assert version.content_sha256 and version.content_sha256 in text
    assert "Mario Rossi" in text


# --- Send back and sign again -----------------------------------------------------------------
def test_sending_back_supersedes_the_signature_and_reopens_the_completion(
    client_for, signed, technician, administrator
):
    invoicing.send_back(intervention=signed, acting_user=administrator, reason="Add the toll")
    signed.refresh_from_db()
    assert signed.state == State.PLANNED
    assert (signed.signed_at, signed.signed_by, bool(signed.signature)) == (None, "", False)
    old = SignedReport.objects.get(intervention=signed)
    assert old.superseded_at is not None and old.superseded_by == administrator
    assert old.superseded_reason == "Add the toll"
    assert old.pdf and "Mario Rossi" in _text(old.pdf.read())  # kept as it was signed

    # The technician sees why, on the job and in the home list, and may correct.
    client = client_for(technician)
    page = client.get(_url("manage", signed)).content.decode()
    assert 'data-testid="send-back-reason"' in page and "Add the toll" in page
    assert 'data-testid="signature-pad"' in page
    assert 'data-testid="signed-reports"' in page
    home = client.get(reverse("calls:my_interventions")).content.decode()
    assert "Add the toll" in home
    actuals.add_expense(
        intervention=signed, acting_user=technician, kind="toll", date=DAY, amount=Decimal("3")
    )
    assert client.get(_url("report_pdf", signed)).status_code == 404  # nothing signed now
    assert client.get(_url("report_version_pdf", signed, 1)).status_code == 200

    _sign(signed, technician, name="Anna Bianchi")
    signed.refresh_from_db()
    assert signed.state == State.DONE and signed.signed_by == "Anna Bianchi"
    versions = list(SignedReport.objects.filter(intervention=signed).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].superseded_at is None
    assert versions[0].content_sha256 != versions[1].content_sha256  # the toll was added
    new_pdf = _text(client.get(_url("report_pdf", signed)).content)
    assert "Anna Bianchi" in new_pdf
    # No more reason once signed again.
    assert "Add the toll" not in client.get(reverse("calls:my_interventions")).content.decode()


def test_only_an_administrator_sends_back_with_a_reason(signed, technician, operator):
    for user, reason in ((technician, "x"), (operator, "x")):
        with pytest.raises((InvoicingError, CallError)):
            invoicing.send_back(intervention=signed, acting_user=user, reason=reason)
    admin = make_user(None, "administrator")
    with pytest.raises(InvoicingError):
        invoicing.send_back(intervention=signed, acting_user=admin, reason="  ")
    signed.refresh_from_db()
    assert signed.state == State.DONE and signed.signed_at is not None
    assert Intervention.objects.get(pk=signed.pk).signed_reports.get().superseded_at is None


def test_another_technician_cannot_read_a_superseded_report(
    client_for, signed, administrator, other_technician
):
    invoicing.send_back(intervention=signed, acting_user=administrator, reason="Fix")
    response = client_for(other_technician).get(_url("report_version_pdf", signed, 1))
    assert response.status_code == 404
