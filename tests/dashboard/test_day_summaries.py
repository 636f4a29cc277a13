"""The dashboard's top products and technicians' hours come from daily summary rows (the daily
call totals per product, calls.summaries; the daily hours, planner.summaries). Their figures
must equal the aggregate queries the dashboard ran over the calls and the time entries before,
on the hand-worked data set and after the changes users make, deletions and edits included,
without waiting for a rebuild."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from calls import services as call_services
from calls.models import CallDayProduct, Intervention
from dashboard import statistics
from dashboard.statistics import Filters
from planner import services as planner_services
from planner import summaries as hours_summaries
from planner.models import DayHours, TimeEntry, WorkKind
from service_portal.roles import Role
from tests.dashboard.dataset import OCTOBER, at, oct_
from tests.dashboard.test_summaries import (
    _calls,
    assert_kept_as_rebuilt,
    every_filter,
    move_received,
    new_call_then_cancelled,
)

pytestmark = pytest.mark.django_db


# --- The aggregate queries the dashboard ran before the summaries ----------------------------
def live_top_products(filters: Filters) -> list[tuple[int, str, int]]:
    rows = (
        _calls(filters)
        .filter(received_at__gte=filters.start, received_at__lt=filters.end)
        .filter(unit__isnull=False)
        .values("unit__product", "unit__product__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit__product__code", "unit__product")[: statistics.TOP]
    )
    return [(r["unit__product"], r["unit__product__code"], r["n"]) for r in rows]


def live_hours(filters: Filters) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    entries = TimeEntry.objects.filter(
        user__role=Role.TECHNICIAN, date__gte=filters.date_from, date__lte=filters.date_to
    )
    if filters.customer is not None:
        entries = entries.filter(intervention__call__customer=filters.customer)
    if filters.intervention_type is not None:
        entries = entries.filter(intervention__type=filters.intervention_type)
    if filters.technician is not None:
        entries = entries.filter(user=filters.technician)
    rows = entries.values("user").annotate(
        labour=Sum("hours", filter=Q(kind=WorkKind.LABOUR)),
        travel=Sum("hours", filter=Q(kind=WorkKind.TRAVEL)),
        total=Sum("hours"),
    )
    result = {}
    for r in rows:
        labour, travel = r["labour"] or Decimal(0), r["travel"] or Decimal(0)
        result[r["user"]] = tuple(
            Decimal(str(v)).quantize(Decimal("0.01"))
            for v in (labour, travel, r["total"] - labour - travel)
        )
    return result


def summary_hours(filters: Filters) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    return {
        r.pk: (r.labour, r.travel, r.other)
        for r in statistics.technician_activity(filters)
        if r.hours
    }


def assert_exact(data) -> None:
    for filters in every_filter(data):
        products = [(r.pk, r.label, r.calls) for r in statistics.top_products(filters)]
        assert products == live_top_products(filters), filters
        assert summary_hours(filters) == live_hours(filters), filters


def day_rows() -> tuple[set[tuple], set[tuple]]:
    """The daily call totals per product and the daily hours (zero rows are no count)."""
    return (
        set(
            CallDayProduct.objects.exclude(calls=0).values_list(
                "day", "product", "type_key", "technician_key", "calls"
            )
        ),
        set(DayHours.objects.values_list("day", "user", "type_key", "labour", "travel", "other")),
    )


def assert_kept_as_rebuilt_too() -> None:
    kept = day_rows()
    call_command("rebuild_call_summaries", verbosity=0)
    call_command("rebuild_day_hours", verbosity=0)
    assert day_rows() == kept
    assert_kept_as_rebuilt()


# --- The tests ------------------------------------------------------------------------------
def test_top_products_and_hours_equal_the_aggregate_queries_on_the_hand_worked_data(data):
    assert_exact(data)
    whole = Filters(*OCTOBER)
    # As worked out by hand: p1 (AAA-1) has calls 1-3, p2 (BBB-2) calls 4-6.
    assert [(r.label, r.calls) for r in statistics.top_products(whole)] == [
        ("AAA-1", 3),
        ("BBB-2", 3),
    ]
    alice = next(r for r in statistics.technician_activity(whole) if r.pk == data.tech_a.pk)
    assert (alice.labour, alice.travel, alice.other) == (Decimal(5), Decimal(2), Decimal(1))
    assert_kept_as_rebuilt_too()


def test_the_day_rows_follow_changes_deletions_and_edits(data):
    office = data.office
    planned = Intervention.objects.get(call=data.calls[6])  # Alice's, repair, planned
    # Hours recorded, then moved to another day and kind, then one deleted.
    entry = planner_services.record_time_entry(
        acting_user=data.tech_a,
        user=data.tech_a,
        date=datetime.date(2026, 10, 29),
        kind=WorkKind.LABOUR,
        hours=Decimal("3.5"),
        intervention=planned,
    )
    assert_exact(data)
    planner_services.update_time_entry(
        entry=entry,
        acting_user=data.tech_a,
        version=TimeEntry.objects.get(pk=entry.pk).version,
        date=datetime.date(2026, 11, 2),
        kind=WorkKind.TRAVEL,
        hours=Decimal("1.25"),
        intervention=planned,
    )
    assert_exact(data)
    assert not DayHours.objects.filter(day=datetime.date(2026, 10, 29)).exists()
    planner_services.delete_time_entry(
        entry=TimeEntry.objects.get(pk=entry.pk), acting_user=data.tech_a
    )
    assert_exact(data)
    assert not DayHours.objects.filter(day=datetime.date(2026, 11, 2)).exists()
    # The intervention's type changes: its hours move to the other type's rows.
    planner_services.record_time_entry(
        acting_user=data.tech_a,
        user=data.tech_a,
        date=datetime.date(2026, 10, 29),
        kind=WorkKind.LABOUR,
        hours=Decimal("2"),
        intervention=planned,
    )
    call_services.fill_intervention_section(
        intervention=Intervention.objects.get(pk=planned.pk),
        acting_user=office,
        version=None,
        type=data.t2,
        requested_date=datetime.date(2026, 10, 30),
        technician=data.tech_a,
    )
    assert_exact(data)
    t2_october = Filters(*OCTOBER, intervention_type=data.t2)
    assert summary_hours(t2_october)[data.tech_a.pk] == (Decimal(2), Decimal(0), Decimal(0))
    # A unit given another product moves its calls to that product.
    unit = data.u1
    unit.product = data.p2
    unit.save()
    assert_exact(data)
    assert [(r.label, r.calls) for r in statistics.top_products(Filters(*OCTOBER))] == [
        ("BBB-2", 5),
        ("AAA-1", 1),
    ]
    # A new call, cancelled; a call moved to another day.
    new_call_then_cancelled(office, data.u3, oct_(9, 15), checked=lambda: assert_exact(data))
    later = data.calls[6]
    later.refresh_from_db()
    move_received(later, office, at(datetime.date(2026, 11, 20), 9))
    assert_exact(data)
    # Deleting the hours of the planned intervention empties Alice's day.
    for entry in TimeEntry.objects.filter(intervention=planned):
        planner_services.delete_time_entry(entry=entry, acting_user=data.tech_a)
    assert_exact(data)
    assert not DayHours.objects.filter(day=datetime.date(2026, 10, 29)).exists()
    assert_kept_as_rebuilt_too()


def test_the_rebuild_recounts_day_rows_lost_or_changed_by_hand(data, capsys):
    kept = day_rows()
    CallDayProduct.objects.filter(day__day__lt=15).delete()
    CallDayProduct.objects.update(calls=42)
    DayHours.objects.filter(type_key=0).delete()
    DayHours.objects.update(labour=Decimal(9))
    call_command("rebuild_call_summaries")
    call_command("rebuild_day_hours")
    assert day_rows() == kept
    assert_exact(data)
    assert f"{DayHours.objects.count()} daily hours rows written." in capsys.readouterr().out


def test_top_products_and_hours_read_a_fixed_number_of_queries(
    data, django_assert_num_queries, django_assert_max_num_queries
):
    for filters in every_filter(data)[:27]:
        with django_assert_num_queries(1):
            statistics.top_products(filters)
        # Visits, completions, hours, and the names when someone has something.
        with django_assert_max_num_queries(4):
            statistics.technician_activity(filters)
    with django_assert_num_queries(4):
        statistics.technician_activity(Filters(*OCTOBER))


def test_bulk_written_entries_are_counted_by_the_rebuild(data):
    """Entries written in bulk (the demo data) skip the signals: the rebuild counts them."""
    TimeEntry.objects.bulk_create(
        [
            TimeEntry(
                user=data.tech_b,
                date=datetime.date(2026, 10, 20),
                hours=Decimal(4),
                kind=WorkKind.LABOUR,
                created_by=data.tech_b,
            )
        ]
    )
    assert hours_summaries.rebuild() == DayHours.objects.count()
    assert_exact(data)
