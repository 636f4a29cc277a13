"""The dashboard's figures are kept in the cache as rendered HTML (dashboard.figures), keyed by
the stamps of the period's days that database triggers renew on every change to a row the
figures read (dashboard.stamps). Whatever the change, and however it is written (services,
a bulk ``update()`` past every signal, a rollback), the block read from the cache must equal the
block rendered from the data at that moment; and time alone (a visit beginning, an SLA deadline
passing) must not leave it behind. The clock is the ``now`` the page passes down."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import User
from calls import services as call_services
from calls.models import Call, Intervention, InterventionTransition, State
from customers.models import Customer, Product, Unit
from dashboard import figures, statistics
from dashboard.statistics import Filters
from planner.models import Activity, TimeEntry, WorkKind
from quotes.models import QuoteLine, RateKind
from tests.dashboard.dataset import OCTOBER, Builder, at, oct_
from tests.dashboard.test_summaries import move_received

pytestmark = pytest.mark.django_db(transaction=False)

YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
NOW = at(datetime.date(2026, 11, 10), 12)


def some_filters(data) -> list[Filters]:
    """Periods, narrowing by customer, technician, type (a few combinations: each is rendered
    twice and computed once after every change)."""
    return [
        Filters(*OCTOBER),
        Filters(*YEAR),
        Filters(datetime.date(2026, 10, 5), datetime.date(2026, 10, 7)),
        Filters(*OCTOBER, customer=data.c1),
        Filters(*OCTOBER, technician=data.tech_a),
        Filters(*YEAR, technician=data.tech_b, intervention_type=data.t2),
        Filters(*OCTOBER, customer=data.c2, intervention_type=data.t1),
    ]


def fresh(filters: Filters, now: datetime.datetime) -> str:
    """The block rendered from the data, past the cache."""
    return str(figures.render(statistics.dashboard(filters, now=now)))


def assert_never_behind(data, now: datetime.datetime = NOW) -> None:
    for filters in some_filters(data):
        expected = fresh(filters, now)
        assert str(figures.figures_html(filters, now)) == expected, filters
        assert str(figures.figures_html(filters, now)) == expected, filters  # from the cache


def intervention(data, n: int) -> Intervention:
    return Intervention.objects.get(call=data.calls[n])


def test_the_cached_figures_equal_the_rendered_ones(data, django_assert_num_queries):
    assert_never_behind(data)
    october = Filters(*OCTOBER)
    # From the cache: the stamps, the open calls, the workload's two queries.
    with django_assert_num_queries(4):
        figures.figures_html(october, NOW)
    page = str(figures.figures_html(october, NOW))
    assert 'data-testid="received">6<' in page


def test_calls_created_cancelled_and_moved(data):
    assert_never_behind(data)
    new = call_services.create_call(
        acting_user=data.office,
        customer=data.c1,
        site=data.u1.site,
        unit=data.u1,
        description="Leaks oil",
        received_at=oct_(7, 10),
    )
    assert_never_behind(data)
    call_services.transition(
        intervention=new.interventions.get(),
        to_state=State.CANCELLED,
        acting_user=data.office,
        reason="Customer cancelled",
    )
    assert_never_behind(data)
    move_received(Call.objects.get(pk=data.calls[6].pk), data.office, oct_(6, 9))
    assert_never_behind(data)
    # Past the services: the SLA clocks and the status written by hand.
    Call.objects.filter(pk=data.calls[1].pk).update(
        response_due=oct_(5, 12), responded_at=oct_(5, 13)
    )
    assert_never_behind(data)


def test_visits_planned_moved_and_begun_by_time_passing(data):
    b = Builder(data.office)
    i6 = intervention(data, 6)
    assert_never_behind(data)
    # A visit for call 3 planned on 20 November, after NOW: not begun, the first visit stays.
    b.visit(
        intervention(data, 3),
        data.tech_b,
        at(datetime.date(2026, 11, 20), 9),
        at(datetime.date(2026, 11, 20), 11),
    )
    assert_never_behind(data)
    # Moved to 2 October (before the call: the average changes), by a bulk update.
    Activity.objects.filter(intervention=intervention(data, 3), start__month=11).update(
        start=oct_(2, 9), end=oct_(2, 11)
    )
    assert_never_behind(data)
    # Call 6's visit is next Monday: as time passes it begins, with no write at all.
    visit = Activity.objects.get(intervention=i6)
    Activity.objects.filter(pk=visit.pk).update(
        start=at(datetime.date(2026, 11, 12), 9), end=at(datetime.date(2026, 11, 12), 12)
    )
    before = at(datetime.date(2026, 11, 12), 8)
    after = at(datetime.date(2026, 11, 12), 10)
    assert_never_behind(data, before)
    first = str(figures.figures_html(Filters(*OCTOBER), before))
    assert_never_behind(data, after)
    assert str(figures.figures_html(Filters(*OCTOBER), after)) != first
    # The visit's technician changed past the planner.
    Activity.objects.filter(pk=visit.pk).update(technician=data.tech_b)
    assert_never_behind(data, after)
    Activity.objects.filter(pk=visit.pk).delete()
    assert_never_behind(data, after)


def test_interventions_completed_reassigned_and_hours_recorded(data):
    b = Builder(data.office)
    i6 = intervention(data, 6)
    assert_never_behind(data)
    # Completed: the state and its history, past the services.
    Intervention.objects.filter(pk=i6.pk).update(state=State.DONE)
    b.transition(i6, State.PLANNED, State.DONE, oct_(30, 10))
    assert_never_behind(data)
    # The history corrected by hand (another day).
    InterventionTransition.objects.filter(intervention=i6).update(at=oct_(29, 10))
    assert_never_behind(data)
    # Given to another technician and type: visits, completions and hours move with it.
    Intervention.objects.filter(pk=intervention(data, 1).pk).update(
        technician=data.tech_b, type=data.t2
    )
    assert_never_behind(data)
    # Hours recorded, corrected and deleted.
    b.hours(intervention(data, 3), data.tech_b, datetime.date(2026, 10, 13), WorkKind.LABOUR, "2")
    assert_never_behind(data)
    TimeEntry.objects.filter(date=datetime.date(2026, 10, 13)).update(hours=Decimal("3.5"))
    assert_never_behind(data)
    TimeEntry.objects.filter(date=datetime.date(2026, 10, 13)).delete()
    assert_never_behind(data)


def test_quote_lines_changed(data):
    assert_never_behind(data)
    quote = intervention(data, 1).quote
    QuoteLine.objects.filter(quote=quote, kind=RateKind.LABOUR_HOUR).update(quantity=Decimal("9"))
    assert_never_behind(data)
    QuoteLine.objects.create(
        quote=quote, kind=RateKind.TRAVEL_HOUR, description="x", quantity=1, unit_price=50
    )
    assert_never_behind(data)
    QuoteLine.objects.filter(quote=quote, kind=RateKind.TRAVEL_HOUR).delete()
    assert_never_behind(data)


def test_an_sla_deadline_passing(data):
    due = at(datetime.date(2026, 11, 15), 12)
    Call.objects.filter(pk=data.calls[6].pk).update(response_due=oct_(29, 12), resolution_due=due)
    before, after = due - datetime.timedelta(minutes=1), due + datetime.timedelta(minutes=1)
    assert_never_behind(data, before)
    first = str(figures.figures_html(Filters(*OCTOBER), before))
    assert_never_behind(data, after)
    assert str(figures.figures_html(Filters(*OCTOBER), after)) != first


def test_names_shown(data):
    assert_never_behind(data)
    Customer.objects.filter(pk=data.c2.pk).update(name="Beta Foods Group")
    assert_never_behind(data)
    User.objects.filter(pk=data.tech_a.pk).update(last_name="Bianchi")
    assert_never_behind(data)
    Product.objects.filter(pk=data.p2.pk).update(description_en="Big oven")
    assert_never_behind(data)
    Unit.objects.filter(pk=data.u3.pk).update(serial_number="SN-U3B")
    assert_never_behind(data)


def test_a_rollback_leaves_the_figures_of_before(data):
    assert_never_behind(data)
    with pytest.raises(RuntimeError), transaction.atomic():
        Intervention.objects.filter(pk=intervention(data, 6).pk).update(state=State.DONE)
        Builder(data.office).transition(intervention(data, 6), State.PLANNED, State.DONE, oct_(30))
        Call.objects.filter(pk=data.calls[2].pk).update(status=State.CANCELLED)
        # Rendered and cached inside the transaction, under stamps that are then rolled back.
        assert_never_behind(data)
        raise RuntimeError
    assert_never_behind(data)
