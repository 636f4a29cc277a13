"""Builders for planner tests: activities and time entries go through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from calls.models import Intervention, State
from planner import services
from planner.models import Activity, ActivityKind, TimeEntry, WorkKind
from tests.calls.factories import make_intervention
from tests.factories import make_user


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware datetime in the portal's time zone."""
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def today() -> datetime.date:
    return timezone.localdate()


def yesterday() -> datetime.date:
    return today() - datetime.timedelta(days=1)


def next_monday() -> datetime.date:
    day = today() + datetime.timedelta(days=1)
    while day.weekday() != 0:
        day += datetime.timedelta(days=1)
    return day


def office(user: User | None = None) -> User:
    return user or make_user(None, Role.OPERATOR)


def ready_intervention(state: str = State.EXPECTED, technician: User | None = None) -> Intervention:
    """An intervention waiting for the planner (expected by default)."""
    return make_intervention(state, technician=technician)


def make_activity(
    technician: User,
    kind: str = ActivityKind.OFFICE,
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    **fields: Any,
) -> Activity:
    start = start or at(next_monday(), 9)
    end = end or start + datetime.timedelta(hours=2)
    return Activity.objects.create(
        technician=technician,
        kind=kind,
        start=start,
        end=end,
        created_by=fields.pop("created_by", technician),
        **fields,
    )


def make_planned(
    technician: User, *, day: datetime.date | None = None, by: User | None = None
) -> Activity:
    intervention = ready_intervention()
    day = day or next_monday()
    result = services.plan_intervention(
        intervention=intervention,
        technician=technician,
        start=at(day, 9),
        end=at(day, 13),
        acting_user=office(by),
        confirm=True,
    )
    return result.activity


def make_entry(user: User, **fields: Any) -> TimeEntry:
    fields.setdefault("date", yesterday())
    fields.setdefault("hours", Decimal("2"))
    fields.setdefault("kind", WorkKind.OFFICE)
    fields.setdefault("description", "Paperwork")
    return services.record_time_entry(acting_user=fields.pop("by", user), user=user, **fields)
