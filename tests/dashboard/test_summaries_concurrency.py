"""Calls of one customer and one day change at the same moment: the dashboard's counts lose
none of the changes (calls.summaries: recounts of a day and customer take turns, the totals and
open counts are additions under the row's lock)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from calls import services, summaries
from calls.models import CLOSED_STATES, Call, Intervention, OpenCallCount, State
from customers.models import Customer
from dashboard import statistics
from dashboard.statistics import Filters
from planner import services as planner_services
from planner.models import DayHours, TimeEntry, WorkKind
from service_portal.roles import Role
from tests.calls.factories import make_call, make_intervention
from tests.dashboard.test_summaries import _rows, counters
from tests.factories import make_unit, make_user

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

RECEIVED = timezone.make_aware(datetime.datetime(2026, 11, 3, 9, 0))


def _open_now(customer: Customer | None = None) -> dict[str, int]:
    filters = Filters(RECEIVED.date(), RECEIVED.date(), customer=customer)
    return {row.state: row.count for row in statistics.open_calls_by_state(filters)}


def _live_open(customer: Customer | None = None) -> dict[str, int]:
    calls = Call.objects.exclude(status__in=CLOSED_STATES)
    if customer is not None:
        calls = calls.filter(customer=customer)
    return {s.value: calls.filter(status=s.value).count() for s in State if s not in CLOSED_STATES}


def test_concurrent_changes_of_one_customers_calls_of_one_day_are_all_counted():
    technician = make_user("tech-sum", Role.TECHNICIAN)
    operators = [make_user(f"op-sum-{i}", Role.OPERATOR) for i in range(6)]
    unit_a, unit_b = make_unit(), make_unit()
    # Four calls of one customer and two of another, all received in the same hour.
    interventions = [
        make_intervention(
            State.NEW,
            technician=technician,
            call=make_call(by=operators[0], unit=unit, received_at=RECEIVED),
        )
        for unit in (unit_a, unit_a, unit_a, unit_a, unit_b, unit_b)
    ]
    summaries.rebuild()  # the factory forces the states with update()
    assert _open_now()[State.NEW] == 6
    barrier = threading.Barrier(len(interventions))
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            services.transition(
                intervention=Intervention.objects.get(pk=interventions[index].pk),
                to_state=State.CANCELLED,
                acting_user=operators[index],
                reason="Customer cancelled",
            )
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(interventions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Call.objects.filter(status=State.CANCELLED).count() == 6
    # Every cancellation left the open counts, of all customers and of each one.
    assert _open_now() == _live_open() == dict.fromkeys(_live_open(), 0)
    for customer in (unit_a.site.customer, unit_b.site.customer):
        assert _open_now(customer) == _live_open(customer)
    day = statistics.call_figures(Filters(RECEIVED.date(), RECEIVED.date()))
    assert (day.received, day.cancelled) == (6, 6)
    # What the changes kept equals a recount from the calls.
    kept = _rows(), counters()
    summaries.rebuild()
    assert (_rows(), counters()) == kept
    assert OpenCallCount.objects.filter(calls__lt=0).count() == 0


def test_concurrent_changes_of_one_technicians_hours_of_one_day_are_all_counted():
    """Hours recorded and deleted at the same moment for one technician and one day: the daily
    hours (planner.summaries) end equal to the entries left."""
    technician = make_user("tech-hours", Role.TECHNICIAN)
    # A past day relative to the clock (hours are refused for a future day).
    day = timezone.localdate() - datetime.timedelta(days=3)

    def record(kind: str, hours: str) -> TimeEntry:
        return planner_services.record_time_entry(
            acting_user=technician,
            user=technician,
            date=day,
            kind=kind,
            hours=Decimal(hours),
            description="Workshop",
        )

    doomed = [record(WorkKind.OFFICE, "1"), record(WorkKind.TRAVEL, "0.5")]
    jobs = [
        lambda: record(WorkKind.OFFICE, "2"),
        lambda: record(WorkKind.TRAVEL, "1.25"),
        lambda: record(WorkKind.OFFICE, "0.75"),
        lambda: planner_services.delete_time_entry(entry=doomed[0], acting_user=technician),
        lambda: planner_services.delete_time_entry(entry=doomed[1], acting_user=technician),
    ]
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def work(job) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    row = DayHours.objects.get(user=technician, day=day, type_key=0)
    assert (row.labour, row.travel, row.other) == (Decimal(0), Decimal("1.25"), Decimal("2.75"))
    (mine,) = [
        r for r in statistics.technician_activity(Filters(day, day)) if r.pk == technician.pk
    ]
    assert mine.hours == TimeEntry.objects.filter(user=technician).aggregate(s=Sum("hours"))["s"]
