"""Business time on the company's working calendar: weekdays, hours, holidays, closures."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from contracts.calendar import WorkingCalendar
from contracts.models import Closure

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def at(day: str, time: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ROME)


def calendar() -> WorkingCalendar:
    return WorkingCalendar.from_settings()  # 08:30-12:30, 14:00-18:00, Monday to Friday


def test_friday_afternoon_plus_eight_hours_lands_on_monday():
    # Friday 2026-11-20 16:00: 2 h left that day, then Monday 08:30 + 6 h = 16:00 (lunch skipped)
    due = calendar().add(at("2026-11-20", "16:00"), datetime.timedelta(hours=8))
    assert due == at("2026-11-23", "16:00")


def test_public_holiday_is_not_a_working_day():
    # Tuesday 2026-12-08 (Immacolata) is skipped: Monday 17:00 + 2 h = Wednesday 09:30
    due = calendar().add(at("2026-12-07", "17:00"), datetime.timedelta(hours=2))
    assert due == at("2026-12-09", "09:30")


def test_easter_monday_from_the_library():
    assert not calendar().is_working_day(datetime.date(2027, 3, 29))  # Easter Monday 2027
    assert calendar().is_working_day(datetime.date(2027, 3, 30))


def test_company_closure_is_skipped():
    Closure.objects.create(
        start_date=datetime.date(2026, 8, 10), end_date=datetime.date(2026, 8, 21), description="x"
    )
    due = calendar().add(at("2026-08-07", "18:00"), datetime.timedelta(hours=1))
    assert due == at("2026-08-24", "09:30")


def test_a_pause_moves_the_deadline_by_its_business_time():
    start = at("2026-11-23", "09:00")  # Monday
    pauses = [(at("2026-11-23", "10:00"), at("2026-11-23", "15:00"))]  # 1 h before, 3 h after
    due = calendar().add(start, datetime.timedelta(hours=4), pauses)
    assert due == at("2026-11-23", "18:00")
    assert calendar().between(start, due, pauses) == datetime.timedelta(hours=4)


def test_received_at_night_starts_counting_next_morning():
    due = calendar().add(at("2026-11-24", "22:00"), datetime.timedelta(hours=1))
    assert due == at("2026-11-25", "09:30")


def test_bad_working_hours_are_refused(settings):
    settings.SLA_WORKING_HOURS = "18:00-08:00"
    with pytest.raises(ImproperlyConfigured, match="SLA_WORKING_HOURS"):
        calendar()
