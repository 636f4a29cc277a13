"""Calls of one customer and one day change at the same moment: the dashboard's counts lose
none of the changes (calls.summaries: recounts of a day and customer take turns, the totals and
open counts are additions under the row's lock)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from calls import services, summaries
from calls.models import CLOSED_STATES, Call, Intervention, OpenCallCount, State
from customers.models import Customer
from dashboard import statistics
from dashboard.statistics import Filters
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
