"""The five busiest pages run an exact number of SQL queries, whatever the amount of data.

The call search, the call management page, the planner board (week and month), the customer
list and the dashboard (scripts/bench.py measures them at scale) are requested once with a
little data and once with more of everything they list; both times the count is the number
written here. An upper bound would let one more query per page slip in unnoticed: a change that
adds or removes one updates the number and the list of what each query is for. The counts are
the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from calls import services as call_services
from tests.calls.factories import (
    first_intervention,
    make_call,
    make_expected_call,
    make_intervention_type,
)
from tests.factories import make_customer, make_site, make_unit
from tests.planner.factories import at, make_activity, make_planned, next_monday

pytestmark = pytest.mark.django_db


def _calls(operator, technician, count: int):
    kind = make_intervention_type()
    for _ in range(count):
        call = make_expected_call(by=operator, technician=technician, type=kind)
        call_services.add_note(
            intervention=first_intervention(call), acting_user=operator, kind="internal", text="a"
        )


def _customers(count: int):
    for _ in range(count):
        make_unit(make_site(make_customer()))


def _planner(technician, count: int):
    day = next_monday()
    for k in range(count):
        make_activity(
            technician,
            start=at(day + datetime.timedelta(days=k % 5), 8),
            end=at(day + datetime.timedelta(days=k % 5), 9),
        )
        make_planned(technician, day=day + datetime.timedelta(days=k % 5))


def _twice(client, url, queries: int, django_assert_num_queries, grow):
    """``queries`` exactly, with little data and after ``grow()`` adds more of it."""
    for step in ("small", "grown"):
        if step == "grown":
            grow()
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200, (step, response.status_code)


@pytest.fixture(autouse=True)
def _no_session_refresh(settings):
    """A signed-in request refreshes its session at most once a minute (one write): not a query
    of the page, and a slow machine must not see it in the middle of a test."""
    settings.SESSION_REFRESH_SECONDS = 3600


# Every signed-in page starts with the session and the user.
SIGNED_IN = 2


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # the count (capped), the intervention types and the technicians of the filter bar
        # (the rows' type and technician names are taken from them), the page of interventions
        # with their call, customer, site and unit
        ("", SIGNED_IN + 4),
        # and the chosen technician (the filter checks it) and the units whose serial number
        # matches (their ids, capped)
        (
            "?date_from=2026-01-01&date_to=2026-12-31&call_code=2026&intervention_code=2026"
            "&status=expected&customer=Customer&serial_number=SN&technician={technician}",
            SIGNED_IN + 8,
        ),
        # sorted by SLA: as without a filter, the page's ids read first in two parts (the
        # calls with a running deadline, then the others: calls/views/search.py DeadlineFirst)
        ("?sort=sla", SIGNED_IN + 6),
        ("?sort=-sla", SIGNED_IN + 6),
    ],
    ids=["no filter", "all filters", "sorted by SLA", "by SLA descending"],
)
def test_call_search(
    query, queries, operator_client, operator, technician, django_assert_num_queries
):
    _calls(operator, technician, 2)
    url = reverse("calls:call_search") + query.format(technician=technician.pk)
    grow = lambda: _calls(operator, technician, 12)  # noqa: E731
    _twice(operator_client, url, queries, django_assert_num_queries, grow)


def test_call_management_page(operator_client, operator, technician, django_assert_num_queries):
    # the intervention with its call, customer, site, contact, unit and product; the call's
    # interventions; the notes with their authors; the history; the customer's sites, units
    # and contacts and the intervention types (the forms' choices); the technicians; the
    # planned visits; the warranty type suggested (the unit is under warranty, no type yet);
    # the spare-part offers made from the call, with their orders; the signed report versions;
    # the photos and documents (issue 21; no checklist for this type); the unit's latest
    # running-hours reading (preventive maintenance, issue 22)
    _calls(operator, technician, 1)
    intervention = first_intervention(make_call(by=operator))
    call_services.add_note(
        intervention=intervention, acting_user=operator, kind="internal", text="first"
    )
    url = reverse("calls:manage", args=[intervention.call_id, 1])

    def grow():
        customer = intervention.call.customer
        for n in range(6):
            call_services.add_note(
                intervention=intervention, acting_user=operator, kind="report", text=f"{n}"
            )
            make_unit(make_site(customer))
            make_intervention_type()
            call_services.create_offer_for_intervention(
                intervention=intervention, acting_user=operator
            )

    _twice(operator_client, url, SIGNED_IN + 15, django_assert_num_queries, grow)


@pytest.mark.parametrize("view", ["week", "month"])
def test_planner_board(view, operator_client, technician, django_assert_num_queries):
    # the technicians (the board's rows), their activities in the period, the interventions
    # waiting to be planned (a page of them) and their count
    _planner(technician, 2)
    url = f"{reverse('planner:board')}?view={view}&date={next_monday().isoformat()}"
    grow = lambda: _planner(technician, 10)  # noqa: E731
    _twice(operator_client, url, SIGNED_IN + 4, django_assert_num_queries, grow)


def test_customer_list(operator_client, django_assert_num_queries):
    # the count (capped) and the page of customers
    _customers(2)
    grow = lambda: _customers(30)  # noqa: E731
    _twice(operator_client, reverse("customers:customer_list"), SIGNED_IN + 2,
           django_assert_num_queries, grow)  # fmt: skip


def test_dashboard(admin_client_, operator, technician, django_assert_num_queries):
    # Rendered (each step follows a change, so its figures are not in the cache): the stamps of
    # the period's days, read before the figures (dashboard.figures); open calls by status;
    # visits this week; unplanned and overdue interventions; calls received, cancelled and
    # resolved by phone; time to the first visit; time to completion; quoted hours; worked
    # hours; interventions of the period; top units (the stamps of the period's days, then the
    # rows); top products; visits and completions per technician; hours per person; the people
    # of those rows; the intervention types of the filter bar; the overdue invoices
    # (administrators); the customers' recent answers to offers and to quotes (the office's
    # notices); the SLA compliance of the period, per customer and per technician
    _calls(operator, technician, 2)
    grow = lambda: _calls(operator, technician, 12)  # noqa: E731
    _twice(admin_client_, reverse("dashboard:home"), SIGNED_IN + 24,
           django_assert_num_queries, grow)  # fmt: skip
    # From the cache: the stamps, the open calls, the workload's two, the technicians and the
    # intervention types of the filter bar, the overdue invoices, the recent answers to offers
    # and to quotes.
    with django_assert_num_queries(SIGNED_IN + 9):
        admin_client_.get(reverse("dashboard:home"))
