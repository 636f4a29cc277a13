"""The dashboard's figures against the known data set of conftest.py (worked out by hand)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dashboard import statistics
from dashboard.statistics import Filters
from tests.dashboard.dataset import OCTOBER, Builder, oct_
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def october(**narrowing) -> Filters:
    return Filters(*OCTOBER, **narrowing)


def open_counts(filters: Filters) -> dict[str, int]:
    return {row.state: row.count for row in statistics.open_calls_by_state(filters)}


def test_open_calls_by_state_counts_every_open_call_whatever_the_period(data):
    assert open_counts(october()) == {
        "new": 0,
        "expected": 1,
        "quoted": 1,
        "planned": 3,
        "done": 1,
        "verified": 1,
    }


def test_workload_today_week_unplanned_overdue(data):
    work = statistics.workload(october())
    assert (work.today, work.this_week, work.unplanned, work.overdue) == (1, 1, 2, 3)


def test_workload_per_technician_counts_their_visits_and_assignments(data):
    alice = statistics.workload(october(technician=data.tech_a))
    # Alice: nothing today; call 6 (requested a month ago) and call 10 (visit gone by) overdue.
    assert (alice.today, alice.this_week, alice.unplanned, alice.overdue) == (0, 0, 0, 2)
    bruno = statistics.workload(october(technician=data.tech_b))
    assert (bruno.today, bruno.this_week, bruno.unplanned, bruno.overdue) == (1, 1, 0, 0)


def test_call_figures_of_the_period(data):
    calls = statistics.call_figures(october())
    assert calls.received == 6
    assert calls.cancelled == 1
    assert calls.resolved_by_phone == 2
    assert calls.considered == 5
    assert calls.phone_share == Decimal("40.0")
    # First visits: call 1 after 24 h, call 3 after 4 h; call 6's visit has not begun.
    assert calls.visited == 2
    assert calls.to_first_visit == datetime.timedelta(hours=14)
    assert calls.hours_to_first_visit == Decimal("14.0")
    # Completion: call 1 at its last "done" (48 h), call 3 after 24 h.
    assert calls.completed == 2
    assert calls.to_completion == datetime.timedelta(hours=36)
    assert calls.hours_to_completion == Decimal("36.0")


def test_call_figures_of_an_empty_period_have_no_averages(data):
    calls = statistics.call_figures(Filters(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31)))
    assert (calls.received, calls.visited, calls.completed) == (0, 0, 0)
    assert calls.phone_share is None
    assert calls.to_first_visit is None
    assert calls.hours_to_completion is None


def test_hours_quoted_vs_actual(data):
    hours = statistics.hours_quoted_vs_actual(october())
    assert hours.interventions == 2
    labour, travel, total = hours.rows
    assert (labour.quoted, labour.actual, labour.difference) == (6, Decimal("6.5"), Decimal("0.5"))
    assert labour.percent == Decimal("108.3")
    assert (travel.quoted, travel.actual, travel.difference) == (3, 3, 0)
    assert (total.quoted, total.actual) == (9, Decimal("9.5"))


def test_top_units_and_products(data):
    units = statistics.top_units(october())
    assert [(row.label, row.calls) for row in units] == [("SN-U3", 3), ("SN-U1", 2), ("SN-U2", 1)]
    assert units[0].detail == "BBB-2 – Beta Foods"
    products = statistics.top_products(october())
    # A tie (3 calls each) is broken by the model code.
    assert [(row.label, row.detail, row.calls) for row in products] == [
        ("AAA-1", "Press", 3),
        ("BBB-2", "Oven", 3),
    ]


def test_top_units_keep_the_ties_at_the_limit_in_serial_number_order(data):
    # SN-U0 joins SN-U1 at 2 calls: with room for two rows, the tie for the second place goes
    # to the lower serial number, and with room for three both are shown.
    b = Builder(data.office)
    u0 = make_unit(data.u1.site, data.p1, serial_number="SN-U0")
    b.call(u0, oct_(7, 9))
    b.call(u0, oct_(8, 9))
    assert [(r.label, r.calls) for r in statistics.top_units(october(), limit=2)] == [
        ("SN-U3", 3),
        ("SN-U0", 2),
    ]
    assert [(r.label, r.calls) for r in statistics.top_units(october(), limit=3)] == [
        ("SN-U3", 3),
        ("SN-U0", 2),
        ("SN-U1", 2),
    ]
    assert [r.label for r in statistics.top_units(october(), limit=1)] == ["SN-U3"]
    assert [(r.label, r.calls) for r in statistics.top_products(october(), limit=1)] == [
        ("AAA-1", 5)
    ]


def test_top_products_show_the_description_in_the_reader_language(data):
    from django.utils import translation

    with translation.override("it"):
        products = statistics.top_products(october())
    assert [row.detail for row in products] == ["Pressa", "Forno"]


def test_activity_per_technician(data):
    rows = statistics.technician_activity(october())
    assert [row.name for row in rows] == ["Alice Rossi", "Bruno Verdi"]
    alice, bruno = rows
    assert (alice.visits, alice.completed) == (1, 1)  # done twice, counted once
    assert (alice.labour, alice.travel, alice.other, alice.hours) == (5, 2, 1, 8)
    assert (bruno.visits, bruno.completed) == (1, 1)
    assert (bruno.labour, bruno.travel, bruno.other) == (Decimal("1.5"), 1, 0)


def test_customer_filter(data):
    assert open_counts(october(customer=data.c1)) == {
        "new": 0,
        "expected": 0,
        "quoted": 1,
        "planned": 1,
        "done": 1,
        "verified": 1,
    }
    calls = statistics.call_figures(october(customer=data.c1))
    assert (calls.received, calls.resolved_by_phone, calls.phone_share) == (3, 1, Decimal("33.3"))
    assert [r.label for r in statistics.top_units(october(customer=data.c1))] == ["SN-U1", "SN-U2"]
    work = statistics.workload(october(customer=data.c2))
    assert (work.today, work.unplanned, work.overdue) == (0, 1, 2)  # calls 8; 6 and 10


def test_technician_filter(data):
    f = october(technician=data.tech_b)
    calls = statistics.call_figures(f)
    assert (calls.received, calls.completed, calls.to_completion) == (
        1,
        1,
        datetime.timedelta(hours=24),
    )
    hours = statistics.hours_quoted_vs_actual(f)
    assert (hours.interventions, hours.rows[2].quoted, hours.rows[2].actual) == (
        1,
        3,
        Decimal("2.5"),
    )
    assert [row.name for row in statistics.technician_activity(f)] == ["Bruno Verdi"]


def test_intervention_type_filter(data):
    f = october(intervention_type=data.t2)
    assert statistics.call_figures(f).received == 1
    assert open_counts(f)["verified"] == 1 and open_counts(f)["expected"] == 1
    assert sum(open_counts(f).values()) == 2
    work = statistics.workload(f)
    assert (work.unplanned, work.overdue) == (1, 0)
    [bruno] = statistics.technician_activity(f)
    assert bruno.hours == Decimal("2.5")


def test_period_limits_include_both_days(data):
    # Call 1 was received on 5 October at 08:00 (Rome time).
    one_day = Filters(datetime.date(2026, 10, 5), datetime.date(2026, 10, 5))
    assert statistics.call_figures(one_day).received == 1
    assert statistics.call_figures(Filters(*[datetime.date(2026, 10, 4)] * 2)).received == 0
