"""Hostile input on the planner and the hours: no 500, a translated error, nothing half-saved."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from hypothesis import given

from planner.models import Activity, TimeEntry
from tests.hostile import HYPOTHESIS, NASTY, SCRIPT
from tests.planner.factories import at, make_activity, make_entry, make_planned, today, yesterday

pytestmark = pytest.mark.django_db


def _hours_url(day: datetime.date | str) -> str:
    return reverse("planner:hours_day", args=[str(day)])


@HYPOTHESIS
@given(hours=NASTY, start=NASTY, end=NASTY, date=NASTY, kind=NASTY, description=NASTY)
def test_the_hours_form_takes_anything(
    technician_client, hours, start, end, date, kind, description
):
    before = TimeEntry.objects.count()
    response = technician_client.post(
        _hours_url(yesterday()),
        {
            "date": date,
            "kind": kind,
            "hours": hours,
            "start_time": start,
            "end_time": end,
            "description": description,
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code in (200, 302)
    assert TimeEntry.objects.count() == before + (response.status_code == 302)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"hours": "25"}, "24"),
        ({"hours": "-2"}, "greater than or equal to 0"),
        ({"hours": "99999999"}, "digits"),
        ({"hours": "NaN"}, "Enter a number"),
        ({"start_time": "25:00", "end_time": "26:00"}, "Enter a valid time"),
        ({"start_time": "18:00", "end_time": "08:00"}, ""),
        ({"date": "2026-02-30"}, "Enter a valid date"),
    ],
    ids=repr,
)
def test_impossible_hours_are_refused_with_a_message(technician_client, values, message):
    data = {"date": str(yesterday()), "kind": "labour", "description": "x", **values}
    data["submission_token"] = str(uuid.uuid4())
    response = technician_client.post(_hours_url(yesterday()), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert message in str(response.context["form"].errors)
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("day", ["2026-02-30", "0000-01-01", "9999-12-31", "x" * 300, "-1"])
def test_malformed_days_in_the_address_are_404_or_shown(technician_client, technician, day):
    assert technician_client.get(_hours_url(day)).status_code in (200, 404)
    url = reverse("planner:day", args=[technician.pk, day])
    assert technician_client.get(url).status_code in (200, 404)


@HYPOTHESIS
@given(date=NASTY, start=NASTY, end=NASTY, end_date=NASTY, kind=NASTY, notes=NASTY)
def test_the_activity_form_takes_anything(
    technician_client, technician, date, start, end, end_date, kind, notes
):
    before = Activity.objects.count()
    response = technician_client.post(
        reverse("planner:day", args=[technician.pk, str(today())]),
        {
            "technician": technician.pk,
            "kind": kind,
            "date": date,
            "start_time": start,
            "end_time": end,
            "all_day": "on",
            "end_date": end_date,
            "notes": notes,
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code in (200, 302)
    assert Activity.objects.count() == before + (response.status_code == 302)


@pytest.mark.parametrize(
    ("date", "end_date"), [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01")]
)
def test_an_all_day_absence_at_the_end_of_the_calendar_is_no_500(
    technician_client, technician, date, end_date
):
    response = technician_client.post(
        reverse("planner:day", args=[technician.pk, str(today())]),
        {
            "technician": technician.pk,
            "kind": "holiday",
            "date": date,
            "all_day": "on",
            "end_date": end_date,
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code in (200, 302)


def test_markup_in_notes_and_descriptions_is_shown_as_text(technician_client, technician):
    make_activity(technician, start=at(today(), 9), notes=SCRIPT)
    make_entry(technician, date=yesterday(), hours=2, description=SCRIPT)
    for url in (
        reverse("planner:day", args=[technician.pk, str(today())]),
        _hours_url(yesterday()),
        reverse("planner:my_calendar"),
    ):
        body = technician_client.get(url).content.decode()
        assert SCRIPT not in body


def test_a_technician_cannot_touch_another_technicians_planner(technician_client, other_technician):
    theirs = make_activity(other_technician, notes="private")
    entry = make_entry(other_technician, date=yesterday(), hours=3, description="theirs")
    intervention = make_planned(other_technician).intervention
    assert (
        technician_client.get(reverse("planner:activity_update", args=[theirs.pk])).status_code
        == 404
    )
    assert (
        technician_client.post(reverse("planner:activity_delete", args=[theirs.pk])).status_code
        == 404
    )
    assert (
        technician_client.post(
            reverse("planner:time_entry_update", args=[entry.pk]),
            {"date": str(yesterday()), "kind": "labour", "hours": "8"},
        ).status_code
        == 404
    )
    assert (
        technician_client.post(
            reverse("planner:intervention_hours", args=[intervention.pk]),
            {"date": str(yesterday()), "kind": "labour", "hours": "8"},
        ).status_code
        == 404
    )
    # Another person's day of hours is refused too.
    response = technician_client.get(_hours_url(yesterday()), {"user": other_technician.pk})
    assert response.status_code in (403, 404)
    entry.refresh_from_db()
    assert entry.hours == 3 and Activity.objects.filter(pk=theirs.pk).exists()
    assert TimeEntry.objects.count() == 1
