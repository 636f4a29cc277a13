"""Hostile input on the call forms and the management page sections (see test_hostile_input.py
for the search filters): no 500, a message, nothing half-saved; markup stays text; other people's
records are out of reach."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from pypdf import PdfReader

from calls.models import Call, Expense, ExpenseKind, Intervention, PartUsed, State
from calls.models import InterventionNote as Note
from tests.calls.factories import first_intervention, make_call, make_intervention
from tests.factories import make_customer, make_site, make_unit
from tests.hostile import HYPOTHESIS, IMG, MARKUP, NASTY, SCRIPT, row_counts
from tests.invoicing.factories import make_done_intervention
from tests.orders.factories import make_part

pytestmark = pytest.mark.django_db


def _url(name: str, intervention: Intervention, *extra) -> str:
    return reverse(name, args=[intervention.call_id, intervention.number, *extra])


@pytest.fixture
def planned(technician) -> Intervention:
    return make_intervention(State.PLANNED, technician=technician)


@HYPOTHESIS
@given(description=NASTY, priority=NASTY, channel=NASTY, received=NASTY, contact=NASTY)
def test_the_new_call_form_takes_anything(
    operator_client, description, priority, channel, received, contact
):
    unit = Unit_of_the_test()
    before = row_counts(Call, Intervention)
    response = operator_client.post(
        reverse("calls:call_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "customer": unit.site.customer_id,
            "site": unit.site_id,
            "unit": unit.pk,
            "contact": contact,
            "description": description,
            "priority": priority,
            "channel": channel,
            "received_at": received,
        },
    )
    assert response.status_code in (200, 302)
    after = row_counts(Call, Intervention)
    if response.status_code == 200:
        assert after == before
    else:
        assert after == {k: v + 1 for k, v in before.items()}


_UNIT = {}


def Unit_of_the_test():  # noqa: N802 - one unit for every example of the test above
    unit = _UNIT.get("unit")
    if unit is None or not type(unit).objects.filter(pk=unit.pk).exists():
        _UNIT["unit"] = unit = make_unit()
    return unit


@HYPOTHESIS
@given(kind=NASTY, date=NASTY, km=NASTY, rate=NASTY, amount=NASTY, note=NASTY)
def test_the_expense_form_takes_anything(
    technician_client, planned, kind, date, km, rate, amount, note
):
    before = row_counts(Expense)
    response = technician_client.post(
        _url("calls:expense_add", planned),
        {
            "expense-submission_token": str(uuid.uuid4()),
            "expense-kind": kind,
            "expense-date": date,
            "expense-km": km,
            "expense-km_rate": rate,
            "expense-amount": amount,
            "expense-note": note,
        },
    )
    assert response.status_code in (200, 302)
    assert row_counts(Expense)["calls.Expense"] in (
        before["calls.Expense"],
        before["calls.Expense"] + (response.status_code == 302),
    )


@pytest.mark.parametrize(
    "values",
    [
        {"expense-kind": "meal", "expense-amount": "-10"},
        {"expense-kind": "meal", "expense-amount": "99999999"},
        {"expense-kind": "meal", "expense-amount": "0"},
        {"expense-kind": "km", "expense-km": "-5", "expense-km_rate": "0.5"},
        {"expense-kind": "km", "expense-km": "100000", "expense-km_rate": "0.5"},
        {"expense-kind": "meal", "expense-amount": "10", "expense-date": "2999-01-01"},
        {"expense-kind": "meal", "expense-amount": "10", "expense-date": "9999-12-31"},
        {"expense-kind": "meal", "expense-amount": "10", "expense-date": "2026-02-30"},
    ],
    ids=repr,
)
def test_impossible_expenses_are_refused_with_a_message(technician_client, planned, values):
    data = {"expense-date": "2026-01-10", "expense-submission_token": str(uuid.uuid4()), **values}
    response = technician_client.post(_url("calls:expense_add", planned), data)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode() or "invalid-feedback" in (
        response.content.decode()
    )
    assert not Expense.objects.exists()


@pytest.mark.parametrize("rate", ["-1", "10.001", "NaN"])
def test_an_impossible_rate_per_km_is_refused_to_the_office(client_for, operator, planned, rate):
    data = {"expense-date": "2026-01-10", "expense-kind": "km", "expense-km": "10"}
    token = {"expense-submission_token": str(uuid.uuid4())}
    response = client_for(operator).post(
        _url("calls:expense_add", planned), {**data, **token, "expense-km_rate": rate}
    )
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode() or "invalid-feedback" in (
        response.content.decode()
    )
    assert not Expense.objects.exists()


def test_a_technicians_rate_per_km_is_ignored(technician_client, planned, settings):
    data = {"expense-date": "2026-01-10", "expense-kind": "km", "expense-km": "10"}
    token = {"expense-submission_token": str(uuid.uuid4())}
    response = technician_client.post(
        _url("calls:expense_add", planned), {**data, **token, "expense-km_rate": "-1"}
    )
    assert response.status_code == 302
    assert Expense.objects.get().km_rate == settings.KM_RATE


@pytest.mark.parametrize("quantity", ["-1", "0", "1001", "1e309", "NaN", "9" * 30, ""])
def test_impossible_part_quantities_are_refused(technician_client, planned, quantity):
    part = make_part()
    response = technician_client.post(
        _url("calls:part_add", planned),
        {"spare_part": part.pk, "quantity": quantity, "submission_token": str(uuid.uuid4())},
    )
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert not PartUsed.objects.exists()


@HYPOTHESIS
@given(kind=NASTY, text=NASTY)
def test_notes_take_anything(technician_client, planned, kind, text):
    before = Note.objects.count()
    response = technician_client.post(
        _url("calls:note_add", planned),
        {"note-kind": kind, "note-text": text, "note-submission_token": str(uuid.uuid4())},
    )
    assert response.status_code in (200, 302)
    assert Note.objects.count() - before in (0, 1)


def test_markup_in_the_installed_base_is_text_in_search_manage_page_and_report(
    operator_client, technician
):
    customer = make_customer(name=MARKUP)
    unit = make_unit(make_site(customer, name=MARKUP), serial_number="SN<b>1</b>")
    call = make_call(unit=unit, description=MARKUP)
    intervention = make_done_intervention(technician=technician, call=call)
    Note.objects.create(intervention=intervention, kind="internal", text=MARKUP, author=technician)
    for url in (
        reverse("calls:call_search"),
        reverse("calls:call_search") + "?customer=img",
        call.get_absolute_url(),
        intervention.get_absolute_url(),
    ):
        body = operator_client.get(url).content.decode()
        assert SCRIPT not in body and IMG not in body, url
    Intervention.objects.filter(pk=intervention.pk).update(
        signed_at=timezone.now(), signed_by=MARKUP[:100]
    )
    pdf = operator_client.get(_url("calls:report_pdf", intervention)).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert SCRIPT in text.replace("\n", "")  # printed as typed, never interpreted


def test_another_technicians_intervention_is_out_of_reach(
    technician_client, other_technician, technician
):
    theirs = make_intervention(State.PLANNED, technician=other_technician)
    expense = Expense.objects.create(
        intervention=theirs,
        kind=ExpenseKind.MEAL,
        date="2026-01-10",
        amount="12.00",
        created_by=other_technician,
        receipt=ContentFile(b"%PDF-1.4 receipt", name="r.pdf"),
    )
    before = row_counts(Expense, PartUsed, Note)
    assert technician_client.get(_url("calls:manage", theirs)).status_code == 404
    assert (
        technician_client.get(_url("calls:expense_receipt", theirs, expense.pk)).status_code == 404
    )
    assert (
        technician_client.post(
            _url("calls:expense_add", theirs),
            {"expense-kind": "meal", "expense-date": "2026-01-10", "expense-amount": "5"},
        ).status_code
        == 404
    )
    assert (
        technician_client.post(_url("calls:expense_delete", theirs, expense.pk)).status_code == 404
    )
    # My own intervention's address with their expense's id: still 404.
    mine = make_intervention(State.PLANNED, technician=technician)
    assert technician_client.get(_url("calls:expense_receipt", mine, expense.pk)).status_code == 404
    assert technician_client.post(_url("calls:expense_delete", mine, expense.pk)).status_code == 404
    assert (
        technician_client.post(
            _url("calls:note_add", theirs), {"note-kind": "internal", "note-text": "x"}
        ).status_code
        == 404
    )
    assert row_counts(Expense, PartUsed, Note) == before
    assert first_intervention(theirs.call).state == State.PLANNED
