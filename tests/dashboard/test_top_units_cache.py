"""The dashboard's top units are kept in the cache, keyed by the period, the filters and the
stamps of the period's days (calls.summaries.stamp, replaced in the transaction of every change
to a call). Cached or not, the figure must equal the aggregate query over the calls, on the
hand-worked data set and at once after every change users make: a new call, a cancellation, a
call moved to another day, an intervention given another type or technician, a unit given
another serial number, a customer renamed."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Count

from calls import services as call_services
from calls.models import Call, CallDayStamp, Intervention
from dashboard import statistics
from dashboard.statistics import Filters
from tests.dashboard.dataset import OCTOBER, Builder, at, oct_
from tests.dashboard.test_summaries import (
    _calls,
    every_filter,
    move_received,
    new_call_then_cancelled,
)
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


# --- The aggregate query: every call of the period with a unit, grouped with the names --------
def live_top_units(filters: Filters, limit: int = statistics.TOP) -> list[tuple]:
    rows = (
        _calls(filters)
        .filter(received_at__gte=filters.start, received_at__lt=filters.end, unit__isnull=False)
        .values("unit", "customer", "unit__serial_number", "unit__product__code", "customer__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit__serial_number", "unit", "customer")[:limit]
    )
    return [
        (
            r["unit"],
            r["unit__serial_number"],
            f"{r['unit__product__code']} – {r['customer__name']}",
            r["n"],
        )
        for r in rows
    ]


def shown(filters: Filters, limit: int = statistics.TOP) -> list[tuple]:
    return [(r.pk, r.label, r.detail, r.calls) for r in statistics.top_units(filters, limit)]


def assert_exact(data) -> None:
    """For every filter: the first reading (cached before or not) and the second (cached)."""
    for filters in every_filter(data):
        expected = live_top_units(filters)
        assert shown(filters) == expected, filters
        assert shown(filters) == expected, filters
    for limit in (1, 2, 3):
        whole = Filters(*OCTOBER)
        assert shown(whole, limit) == shown(whole, limit) == live_top_units(whole, limit)


# --- The tests ------------------------------------------------------------------------------
def test_the_top_units_equal_the_aggregate_query_cached_or_not(data):
    assert_exact(data)
    # As worked out by hand (tests/dashboard/dataset.py): U3 has calls 4-6, U1 1-2, U2 3.
    assert [(r[1], r[3]) for r in shown(Filters(*OCTOBER))] == [
        ("SN-U3", 3),
        ("SN-U1", 2),
        ("SN-U2", 1),
    ]


def test_a_new_call_shows_in_the_top_units_at_once(data):
    october = Filters(*OCTOBER)
    u4 = make_unit(data.u2.site, data.p1, serial_number="SN-U4")  # no call yet
    shown(october)  # cached: U3, U1, U2
    shown(october, limit=2)  # cached: U3, U1

    def new_call(day: int) -> None:
        call_services.create_call(
            acting_user=data.office,
            customer=data.c1,
            site=u4.site,
            unit=u4,
            description="Leaks oil",
            received_at=oct_(day, 16),
        )

    new_call(30)
    assert [(r[1], r[3]) for r in shown(october)] == [
        ("SN-U3", 3),
        ("SN-U1", 2),
        ("SN-U2", 1),
        ("SN-U4", 1),
    ]
    new_call(31)
    assert [(r[1], r[3]) for r in shown(october, limit=2)] == [("SN-U3", 3), ("SN-U1", 2)]
    new_call(29)
    assert [(r[1], r[3]) for r in shown(october, limit=2)] == [("SN-U3", 3), ("SN-U4", 3)]
    assert shown(october) == live_top_units(october)


def test_the_top_units_follow_every_change_at_once(data):
    office = data.office
    assert_exact(data)  # everything cached
    new_call_then_cancelled(office, data.u2, oct_(9, 15), checked=lambda: assert_exact(data))
    assert_exact(data)
    # A unit that had no call in October gets two: it enters the tops cached without it.
    u4 = make_unit(data.u2.site, data.p1, serial_number="SN-U4")
    Builder(office).call(u4, oct_(2, 9))
    Builder(office).call(u4, oct_(3, 9))
    assert_exact(data)
    # A call moved out of October, and one moved in.
    moved = Call.objects.get(pk=data.calls[6].pk)
    move_received(moved, office, at(datetime.date(2026, 11, 20), 9))
    assert_exact(data)
    # U1, U2 (the new call), U3 (one call fewer) and U4 tie at 2: by serial number.
    assert [(r[1], r[3]) for r in shown(Filters(*OCTOBER))] == [
        ("SN-U1", 2),
        ("SN-U2", 2),
        ("SN-U3", 2),
        ("SN-U4", 2),
    ]
    moved_in = Call.objects.get(pk=data.calls[9].pk)
    move_received(moved_in, office, oct_(31, 23))
    assert_exact(data)
    # An intervention given another type and technician: the narrowed tops change.
    planned = Intervention.objects.get(call=data.calls[6])
    call_services.fill_intervention_section(
        intervention=planned,
        acting_user=office,
        version=None,
        type=data.t2,
        requested_date=datetime.date(2026, 10, 30),
        technician=data.tech_b,
    )
    assert_exact(data)


def test_a_serial_number_or_a_name_edited_shows_at_once_and_reorders_the_ties(data):
    october = Filters(*OCTOBER)
    b = Builder(data.office)
    u0 = make_unit(data.u1.site, data.p1, serial_number="SN-U0")
    b.call(u0, oct_(7, 9))
    b.call(u0, oct_(8, 9))
    # SN-U0 and SN-U1 tie at 2 calls: the second place goes to the lower serial number.
    assert [r[1] for r in shown(october, limit=2)] == ["SN-U3", "SN-U0"]
    u0.serial_number = "SN-U9"
    u0.save()
    assert [r[1] for r in shown(october, limit=2)] == ["SN-U3", "SN-U1"]
    assert shown(october, limit=2) == live_top_units(october, limit=2)
    # The names are read on every request, never from the cache.
    data.c2.name = "Beta Foods Srl"
    data.c2.save()
    assert shown(october)[0][2] == "BBB-2 – Beta Foods Srl"


def test_the_top_units_run_two_queries_cached_or_not(data, django_assert_num_queries):
    for filters in every_filter(data):
        for _reading in ("computed", "cached"):
            with django_assert_num_queries(2):
                statistics.top_units(filters)
    # A period without a call is cached too, and still two queries.
    empty = Filters(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31))
    for _reading in ("computed", "cached"):
        with django_assert_num_queries(2):
            assert statistics.top_units(empty) == []


def test_the_rebuild_gives_every_day_a_new_stamp(data):
    """Calls changed past the services (SQL by hand) are counted again by the nightly
    rebuild: it stamps every day, so what was cached before it is not read again."""
    october = Filters(*OCTOBER)
    shown(october)
    Call.objects.filter(pk=data.calls[2].pk).update(unit=data.u2)
    call_command("rebuild_call_summaries", verbosity=0)
    assert shown(october) == live_top_units(october)
    assert [(r[1], r[3]) for r in shown(october)] == [("SN-U3", 3), ("SN-U2", 2), ("SN-U1", 1)]
    days = {timezone_day(c.received_at) for c in Call.objects.all()}
    assert days <= set(CallDayStamp.objects.values_list("day", flat=True))


def test_a_change_rolled_back_leaves_the_cached_figure_right(data):
    from django.db import transaction

    october = Filters(*OCTOBER)
    before = shown(october)
    with pytest.raises(RuntimeError), transaction.atomic():
        Builder(data.office).call(data.u2, oct_(3, 9))
        assert shown(october) == live_top_units(october) != before  # seen inside, at once
        raise RuntimeError
    assert shown(october) == live_top_units(october) == before


def timezone_day(instant: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(instant).date()


@pytest.fixture(autouse=True)
def _no_cached_figures():
    cache.clear()
