"""The demo data `make run` loads: dated relative to today, within every rule the product enforces,
and a planner that is not empty on the first look.

One seeded database for the whole module (seeding renders offer and invoice PDFs): each test
only reads it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from calls.demo import DEMO_CALLS, working_day
from calls.models import Call, Expense, Intervention, InterventionTransition, State
from calls.services import TRANSITIONS, actuals
from customers.models import Unit
from planner.models import Activity, ActivityKind, TimeEntry
from planner.services import MAX_HOURS_PER_DAY
from service_portal.apps import PORTAL_APPS

VISITED = (State.DONE, State.VERIFIED, State.INVOICED)
ON_THE_PLANNER = (State.PLANNED, *VISITED)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """seed_demo once for the module, in a transaction rolled back at the end."""
    from django.db import connection, transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--no-logins", stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()


@pytest.fixture
def seeded(demo, db):
    """The demo data, each test in its own transaction inside the module's."""


def test_every_demo_record_passes_its_models_validation(seeded):
    failures = []
    for label in PORTAL_APPS:
        for model in apps.get_app_config(label).get_models():
            for record in model._default_manager.all():
                try:
                    record.full_clean()
                except Exception as error:  # noqa: BLE001 - collected and shown all at once
                    failures.append(f"{model.__name__} {record.pk}: {error}")
    assert not failures, "\n".join(failures[:20])


def test_no_hours_or_expenses_in_the_future_and_no_day_over_the_limit(seeded):
    today = timezone.localdate()
    assert TimeEntry.objects.exists() and Expense.objects.exists()
    assert not TimeEntry.objects.filter(date__gt=today).exists()
    assert not Expense.objects.filter(date__gt=today).exists()
    busiest = (
        TimeEntry.objects.values("user", "date").annotate(total=Sum("hours")).order_by("-total")
    ).first()
    assert busiest["total"] <= MAX_HOURS_PER_DAY
    # Hours on an intervention are its technician's, on the day of one of its visits.
    for entry in TimeEntry.objects.filter(intervention__isnull=False).select_related(
        "intervention"
    ):
        assert entry.user_id == entry.intervention.technician_id
        visit_days = {
            timezone.localtime(a.start).date() for a in entry.intervention.activities.all()
        }
        assert entry.date in visit_days


def test_calls_walk_the_state_map_and_visits_come_after_the_call(seeded):
    now = timezone.now()
    today = timezone.localdate()
    for intervention in Intervention.objects.select_related("call"):
        steps = list(
            InterventionTransition.objects.filter(intervention=intervention)
            .order_by("pk")
            .values_list("from_state", "to_state")
        )
        assert steps[0] == ("", State.NEW)
        for (_, before), (after_from, after) in zip(steps, steps[1:], strict=False):
            assert after_from == before and after in TRANSITIONS[before], intervention.code
        assert steps[-1][1] == intervention.state
        call = intervention.call
        assert call.received_at <= now
        if intervention.requested_date is not None:
            assert intervention.requested_date >= timezone.localtime(call.received_at).date()
        if intervention.state in VISITED:
            assert intervention.requested_date <= today, intervention.code
            assert intervention.signed_at is not None and intervention.signed_at <= now
            assert actuals.completion_missing(intervention) == []


def test_planned_means_a_visit_on_the_planner_and_only_then(seeded):
    now = timezone.now()
    for intervention in Intervention.objects.exclude(call__description__startswith="Generated"):
        visits = list(intervention.activities.filter(kind=ActivityKind.INTERVENTION))
        if intervention.state in ON_THE_PLANNER:
            assert visits, f"{intervention.code} is {intervention.state} without a visit"
            assert all(v.technician_id == intervention.technician_id for v in visits)
            if intervention.state in VISITED:
                assert all(v.start <= now for v in visits)
        else:
            assert not visits, f"{intervention.code} is {intervention.state} with a visit"


def test_no_technician_is_in_two_places_at_once(seeded):
    by_technician = defaultdict(list)
    for activity in Activity.objects.order_by("start"):
        assert activity.end > activity.start
        by_technician[activity.technician_id].append(activity)
    for activities in by_technician.values():
        for earlier, later in zip(activities, activities[1:], strict=False):
            assert later.start >= earlier.end, (earlier, later)


def test_each_problem_is_about_a_machine_of_its_kind(seeded):
    calls = {call.description: call for call in Call.objects.select_related("unit__product")}
    for demo_call in DEMO_CALLS:
        call = calls[demo_call.description]
        assert call.unit.product.code == demo_call.product, demo_call.description
    # Every state of the map is there to look at (the invoicing demo bills the verified call
    # and verifies the older done one).
    assert set(Call.objects.values_list("status", flat=True)) == {
        State.NEW,
        State.RESOLVED_BY_PHONE,
        State.EXPECTED,
        State.PLANNED,
        State.DONE,
        State.VERIFIED,
        State.INVOICED,
        State.CANCELLED,
    }
    # Every kind of machine is installed somewhere, and never in the future.
    assert not Unit.objects.filter(installation_date__gt=timezone.localdate()).exists()
    kinds = set(Unit.objects.values_list("product__code", flat=True))
    assert {demo_call.product for demo_call in DEMO_CALLS} <= kinds


def test_the_planner_of_the_current_week_shows_each_technicians_visits_today(seeded, client):
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    response = client.get(reverse("planner:board"))
    assert response.status_code == 200
    today = timezone.localdate()
    rows = {row.technician.username: row for row in response.context["rows"]}
    for username in ("tech1", "tech2"):
        row = rows[username]
        visits = {
            cell.day: [a for a in cell.activities if a.kind == ActivityKind.INTERVENTION]
            for cell in row.cells
        }
        assert visits[today], f"{username} has no visit today"
        assert sum(len(v) for v in visits.values()) >= 1
    planned_today = Intervention.objects.filter(
        state=State.PLANNED, activities__start__date=today
    ).select_related("call__customer")
    assert planned_today.count() >= 2
    for intervention in planned_today:
        assert intervention.call.customer.name in response.content.decode()


def test_a_technician_sees_todays_visit_in_their_own_calendar(seeded, client):
    technician = User.objects.get(username="tech1")
    client.force_login(technician)
    response = client.get(reverse("planner:my_calendar"))
    assert response.status_code == 200
    today = timezone.localdate()
    cells = [cell for week in response.context["weeks"] for cell in week]
    (today_cell,) = [cell for cell in cells if cell.day == today]
    assert any(a.kind == ActivityKind.INTERVENTION for a in today_cell.activities)


@pytest.mark.parametrize(
    ("today", "offset", "expected"),
    [
        (datetime.date(2026, 12, 6), 0, datetime.date(2026, 12, 6)),  # a Sunday stays today
        (datetime.date(2026, 12, 6), 1, datetime.date(2026, 12, 7)),
        (datetime.date(2026, 12, 6), -1, datetime.date(2026, 12, 4)),
        (datetime.date(2026, 12, 7), -1, datetime.date(2026, 12, 4)),  # Monday: last Friday
        (datetime.date(2026, 12, 4), 1, datetime.date(2026, 12, 7)),  # Friday: next Monday
        (datetime.date(2026, 12, 9), -8, datetime.date(2026, 11, 27)),
    ],
)
def test_visit_days_count_working_days_from_today(today, offset, expected):
    assert working_day(offset, today) == expected


def test_seeding_twice_adds_nothing(seeded):
    counts = [model.objects.count() for model in (Call, Intervention, Activity, TimeEntry, Expense)]
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert counts == [
        model.objects.count() for model in (Call, Intervention, Activity, TimeEntry, Expense)
    ]
    assert Decimal(0) < TimeEntry.objects.aggregate(total=Sum("hours"))["total"]
