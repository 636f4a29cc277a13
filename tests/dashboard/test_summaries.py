"""The dashboard counts calls from the daily call summaries (calls.summaries): the figures must
equal the aggregate queries over the calls, on the hand-worked data set and after the changes
users make through the services, without waiting for a rebuild."""

import datetime
import itertools
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db.models import Count, Exists, OuterRef, Q

from calls import services as call_services
from calls import summaries
from calls.models import (
    CLOSED_STATES,
    Call,
    CallDaySummary,
    CallDayTotal,
    Intervention,
    OpenCallCount,
    State,
)
from customers.models import Unit
from dashboard import statistics
from dashboard.statistics import Filters
from planner import services as planner_services
from tests.dashboard.dataset import OCTOBER, at, oct_

pytestmark = pytest.mark.django_db


# --- The aggregate queries the dashboard ran over the calls before the summaries -------------
def _calls(filters: Filters):
    calls = Call.objects.all()
    if filters.customer is not None:
        calls = calls.filter(customer=filters.customer)
    narrowing = {}
    if filters.technician is not None:
        narrowing["technician"] = filters.technician
    if filters.intervention_type is not None:
        narrowing["type"] = filters.intervention_type
    if narrowing:
        calls = calls.filter(Exists(Intervention.objects.filter(call=OuterRef("pk"), **narrowing)))
    return calls


def live_open_calls(filters: Filters) -> dict[str, int]:
    open_states = [s.value for s in State if s not in CLOSED_STATES]
    counts = dict(
        _calls(filters)
        .filter(status__in=open_states)
        .values("status")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("status", "n")
    )
    return {state: counts.get(state, 0) for state in open_states}


def live_call_counts(filters: Filters) -> tuple[int, int, int]:
    counts = (
        _calls(filters)
        .filter(received_at__gte=filters.start, received_at__lt=filters.end)
        .aggregate(
            received=Count("pk"),
            cancelled=Count("pk", filter=Q(status=State.CANCELLED)),
            phone=Count("pk", filter=Q(status=State.RESOLVED_BY_PHONE)),
        )
    )
    return counts["received"], counts["cancelled"], counts["phone"]


def from_summaries(filters: Filters) -> tuple[dict[str, int], tuple[int, int, int]]:
    figures = statistics.call_figures(filters)
    open_calls = {row.state: row.count for row in statistics.open_calls_by_state(filters)}
    return open_calls, (figures.received, figures.cancelled, figures.resolved_by_phone)


def every_filter(data) -> list[Filters]:
    periods = [OCTOBER, (datetime.date(2026, 10, 5), datetime.date(2026, 10, 5))]
    periods.append((datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)))  # a whole year
    return [
        Filters(*period, customer=customer, technician=technician, intervention_type=kind)
        for period, customer, technician, kind in itertools.product(
            periods,
            (None, data.c1, data.c2),
            (None, data.tech_a, data.tech_b),
            (None, data.t1, data.t2),
        )
    ]


def assert_summaries_exact(data) -> None:
    for filters in every_filter(data):
        assert from_summaries(filters) == (live_open_calls(filters), live_call_counts(filters)), (
            filters
        )


def _rows() -> set[tuple]:
    return set(
        CallDaySummary.objects.values_list(
            "day", "status", "customer", "by_type", "type", "by_technician", "technician", "calls"
        )
    )


def counters() -> tuple[set[tuple], set[tuple]]:
    """The day totals and the open counts (rows at zero left by additions are no count)."""
    return (
        set(
            CallDayTotal.objects.exclude(calls=0).values_list(
                "day", "status", "type_key", "technician_key", "calls"
            )
        ),
        set(
            OpenCallCount.objects.exclude(calls=0).values_list(
                "status", "customer_key", "type_key", "technician_key", "calls"
            )
        ),
    )


def move_received(call: Call, office, received_at: datetime.datetime) -> None:
    """The office corrects the moment ``call`` came in, leaving the rest of it as it is."""
    call_services.update_call(
        call=call,
        acting_user=office,
        version=call.version,
        site=call.site,
        contact=call.contact,
        unit=call.unit,
        description=call.description,
        channel=call.channel,
        priority=call.priority,
        received_at=received_at,
    )


def new_call_then_cancelled(
    office, unit: Unit, received_at: datetime.datetime, checked: Callable[[], None]
) -> Call:
    """A new call on ``unit``, ``checked()``; then the office cancels it (a cancelled call still
    counts as received)."""
    call = call_services.create_call(
        acting_user=office,
        customer=unit.site.customer,
        site=unit.site,
        unit=unit,
        description="Noisy",
        received_at=received_at,
    )
    checked()
    call_services.transition(
        intervention=call.interventions.get(),
        to_state=State.CANCELLED,
        acting_user=office,
        reason="Customer cancelled",
    )
    return call


def assert_kept_as_rebuilt() -> None:
    """What the changes kept up to date equals what the nightly recount writes."""
    kept = _rows(), counters()
    summaries.rebuild()
    assert (_rows(), counters()) == kept


# --- The tests ------------------------------------------------------------------------------
def test_the_figures_equal_the_aggregate_queries_on_the_hand_worked_data(data):
    assert_summaries_exact(data)
    assert_kept_as_rebuilt()  # the nightly recount changes nothing
    assert counters()[0] and counters()[1]


def test_the_open_calls_read_one_row_per_state_whatever_the_filters(
    data, django_assert_num_queries
):
    assert OpenCallCount.objects.count() > 6
    for filters in every_filter(data)[:18]:
        with django_assert_num_queries(1):
            statistics.open_calls_by_state(filters)
    whole = Filters(*OCTOBER)
    assert OpenCallCount.objects.filter(customer_key=0, type_key=0, technician_key=0).count() <= 6
    assert (
        sum(r.count for r in statistics.open_calls_by_state(whole))
        == Call.objects.exclude(status__in=CLOSED_STATES).count()
    )


def test_the_summaries_follow_changes_made_through_the_services(data, administrator):
    office = data.office
    # A new call, and a call resolved by phone.
    new = call_services.create_call(
        acting_user=office,
        customer=data.c1,
        site=data.u1.site,
        unit=data.u1,
        description="Leaks oil",
        received_at=oct_(7, 10),
    )
    assert_summaries_exact(data)
    call_services.resolve_by_phone(call=new, acting_user=office, solution="Reset the pump")
    assert_summaries_exact(data)
    # A call's intervention gets its type and technician, is planned, then cancelled.
    other = call_services.create_call(
        acting_user=office,
        customer=data.c2,
        site=data.u3.site,
        unit=data.u3,
        description="Noisy",
        received_at=oct_(9, 15),
    )
    intervention = other.interventions.get()
    call_services.fill_intervention_section(
        intervention=intervention,
        acting_user=office,
        version=None,
        type=data.t2,
        requested_date=datetime.date(2026, 10, 12),
        technician=data.tech_b,
    )
    assert_summaries_exact(data)
    planner_services.plan_intervention(
        intervention=Intervention.objects.get(pk=intervention.pk),
        technician=data.tech_b,
        start=at(datetime.date(2026, 10, 12), 9),
        end=at(datetime.date(2026, 10, 12), 12),
        acting_user=office,
        confirm=True,
    )
    assert_summaries_exact(data)
    call_services.transition(
        intervention=Intervention.objects.get(pk=intervention.pk),
        to_state=State.CANCELLED,
        acting_user=office,
        reason="Customer cancelled",
    )
    assert_summaries_exact(data)
    # The office corrects the day a call came in: it leaves its old day's row.
    move_received(Call.objects.get(pk=data.calls[6].pk), office, at(datetime.date(2026, 11, 20), 9))
    assert_summaries_exact(data)
    assert_kept_as_rebuilt()


def test_the_rebuild_command_recounts_rows_lost_or_changed_by_hand(data, capsys):
    kept = _rows(), counters()
    CallDaySummary.objects.filter(day__month=10).delete()
    CallDaySummary.objects.update(calls=99)
    CallDayTotal.objects.filter(day__month=10).delete()
    OpenCallCount.objects.update(calls=7)
    call_command("rebuild_call_summaries")
    assert (_rows(), counters()) == kept
    assert_summaries_exact(data)
    assert f"{len(kept[0])} summary rows written." in capsys.readouterr().out
