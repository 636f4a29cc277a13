"""The call search sorted by SLA: each page read in two parts (the calls with a running
deadline from their partial index, then the others) shows the rows, counts and page links the
plain ``ORDER BY sla_due NULLS LAST, id`` gives, on every page and both ways, with a fixed
number of queries whatever page it is and wherever the deadlines end."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.models import Call, Intervention, State
from calls.views.search import CallSearch, DeadlineFirst, filtered
from service_portal.crud import PortalListView
from tests.calls.factories import make_call
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

URL = "/calls/"
PAGE = 4
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _no_session_refresh(settings):
    """No once-a-minute session write in the middle of a query count on a slow machine."""
    settings.SESSION_REFRESH_SECONDS = 3600


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(CallSearch, "paginate_by", PAGE)


def _received(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, 10, 0))


def _more_interventions(call: Call, count: int, technician=None) -> None:
    for number in range(2, 2 + count):
        Intervention.objects.create(
            call=call,
            number=number,
            code=f"{call.code}/{number}",
            state=State.NEW,
            technician=technician,
        )


@pytest.fixture
def deadlines(operator, technician, other_technician):
    """11 interventions whose call has a running deadline (breached, at risk, on time, two
    calls due at the same moment, calls with several interventions), then 8 without one (one
    call answered late, one with three interventions): the SLA order's NULLs begin in the
    middle of page 3 of 4-row pages."""
    now = timezone.now()
    unit = make_unit()
    due = [
        (-3 * HOUR, "breached"),
        (5 * HOUR, "on time"),
        (2 * HOUR, "at risk"),
        (-1 * HOUR, "breached"),
        (5 * HOUR, "on time"),  # the same deadline as the second: the interventions break it
        (30 * HOUR, "on time"),
        (1 * HOUR, "at risk"),
    ]
    technicians = itertools.cycle([technician, None, other_technician])
    for day, (offset, state) in enumerate(due, start=1):
        call = make_call(by=operator, unit=unit, received_at=_received(day))
        sla_due = now + offset
        warn = sla_due - (3 * HOUR if state == "at risk" else HOUR)
        Call.objects.filter(pk=call.pk).update(sla_due=sla_due, sla_warn_at=warn)
        Intervention.objects.filter(call=call).update(technician=next(technicians))
        if day in (1, 4):
            _more_interventions(call, 2, technician=next(technicians))
    for day in range(8, 14):
        call = make_call(by=operator, unit=unit, received_at=_received(day))
        Intervention.objects.filter(call=call).update(technician=next(technicians))
        if day == 9:
            Call.objects.filter(pk=call.pk).update(sla_late=True)  # answered late: breached
        if day == 11:
            _more_interventions(call, 2, technician=technician)
    return {"technician": technician}


def _plain(user, params: dict) -> list[int]:
    """The rows as the plain ORDER BY gives them (the export's query)."""
    request = RequestFactory().get(URL, params)
    request.user = user
    _search, queryset = filtered(request)
    return list(queryset.values_list("pk", flat=True))


def _shown(html: str) -> str:
    """The rows and the pagination of a page (the rest holds per-request tokens)."""
    table = re.search(r"<tbody>.*?</tbody>", html, re.S)
    pages = re.search(r'<nav class="d-flex.*?</nav>', html, re.S)
    return table.group(0) + pages.group(0)


def _plain_paginate(view, queryset, page_size: int) -> tuple:
    """The search as it was: the queryset sliced with its ORDER BY, made into the same rows
    (``PortalListView`` calls the view's ``make_rows``)."""
    return PortalListView.paginate_queryset(view, queryset, page_size)


def _pages(client, params: dict, monkeypatch, *, plain: bool) -> list[tuple]:
    with monkeypatch.context() as patch:
        if plain:
            patch.setattr(CallSearch, "paginate_queryset", _plain_paginate)
        seen = []
        for page in ["1", "2", "3", "4", "5", "6", "last", "x"]:
            response = client.get(URL, {**params, "page": page})
            assert response.status_code == 200
            context = response.context
            seen.append(
                (
                    [row.pk for row in context["object_list"]],
                    context["page_obj"].number,
                    context["paginator"].count,
                    _shown(response.content.decode()),
                )
            )
        return seen


FILTERS = [
    {},
    {"sla": "breached"},
    {"sla": "at_risk"},
    {"date_from": "2026-03-03", "date_to": "2026-03-12"},
    {"technician": "me", "sla": "breached"},
    {"technician": "me", "date_from": "2026-03-02"},
]


def test_every_page_shows_the_rows_counts_and_links_of_the_plain_order(
    operator, operator_client, deadlines, small_pages, monkeypatch
):
    for filters, sort in itertools.product(FILTERS, ["sla", "-sla"]):
        params = {**filters, "sort": sort}
        if params.get("technician") == "me":
            params["technician"] = deadlines["technician"].pk
        new = _pages(operator_client, params, monkeypatch, plain=False)
        assert new == _pages(operator_client, params, monkeypatch, plain=True), params
        # and page n holds rows (n-1)*4 .. n*4 of the plain ORDER BY, the NULLs last both ways
        expected = _plain(operator, params)
        shown = [rows for rows, *_ in new[:6]]
        numbers = [shown_number for _rows, shown_number, *_ in new[:6]]
        pages = max(1, -(-len(expected) // PAGE))
        assert numbers == [min(n, pages) for n in range(1, 7)], params
        for number in range(1, pages + 1):
            assert shown[number - 1] == expected[(number - 1) * PAGE : number * PAGE], params


def test_the_data_set_straddles_the_end_of_the_deadlines(operator, deadlines):
    """The fixture's point: page 3 holds both kinds of rows in both directions."""
    rows = Intervention.objects.select_related("call")
    for sort in ("sla", "-sla"):
        order = _plain(operator, {"sort": sort})
        has_deadline = [rows.get(pk=pk).call.sla_due is not None for pk in order]
        assert has_deadline == [True] * 11 + [False] * 8
        assert has_deadline[2 * PAGE : 3 * PAGE] == [True, True, True, False]


def test_a_technician_sees_only_own_rows_in_the_same_order(
    client_for, technician, deadlines, small_pages, monkeypatch
):
    client = client_for(technician)
    for sort in ("sla", "-sla"):
        params = {"sort": sort}
        new = _pages(client, params, monkeypatch, plain=False)
        assert new == _pages(client, params, monkeypatch, plain=True)
        pages = {number: rows for rows, number, *_ in new}
        shown = list(itertools.chain(*(pages[number] for number in sorted(pages))))
        assert shown == _plain(technician, params)
        assert set(
            Intervention.objects.filter(pk__in=shown).values_list("technician", flat=True)
        ) == {technician.pk}


@pytest.mark.parametrize("sort", ["sla", "-sla"])
def test_any_slice_equals_the_plain_order_in_three_queries(operator, deadlines, sort):
    plain = _plain(operator, {"sort": sort})
    request = RequestFactory().get(URL, {"sort": sort})
    request.user = operator
    _search, queryset = filtered(request)
    rows = DeadlineFirst(queryset, sort, CallSearch.row_fields)  # the view's rows, as values
    for start in range(len(plain) + 2):
        for stop in range(start + 1, len(plain) + 3):
            with CaptureQueriesContext(connection) as queries:
                page = [row["pk"] for row in rows[start:stop]]
            assert page == plain[start:stop], (start, stop)
            # the ids with a deadline, the ids without, the rows: whichever part the slice is in
            assert len(queries) == (3 if page else 2), (start, stop)
    assert rows[11]["pk"] == plain[11]


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200 and response.context["object_list"]
    return len(queries)


def test_a_page_runs_the_same_queries_wherever_the_deadlines_end(
    operator_client, operator, deadlines, small_pages
):
    """Page 1 (all with a deadline), page 3 (both), page 5 and the last (none): one count,
    and the same with more data; filtered on the SLA (the few calls at risk or breached, sorted
    by the plain ORDER BY), the search sorted otherwise's count."""
    searches = [{}, {"sla": "breached"}, {"sla": "at_risk"}]
    counts = {
        (sort, page, *filters.values()): _queries(
            operator_client, {**filters, "sort": sort, "page": page}
        )
        for filters in searches
        for sort in ("sla", "-sla")
        for page in ("1", "2", "3", "5", "last")
        if filters.get("sla") != "at_risk" or page in ("1", "2")  # 5 rows at risk
    }
    # what the search sorted otherwise runs (the session, the count, the filter bar's types and
    # technicians, the page's rows, their types and technicians), and without an SLA filter
    # the page's ids read first in two parts: with a deadline, without
    plain = _queries(operator_client, {"sort": "received"})
    expected = {key: plain if len(key) == 3 else plain + 2 for key in counts}
    assert counts == expected
    for _ in range(3):
        call = make_call(by=operator)
        Call.objects.filter(pk=call.pk).update(
            sla_due=timezone.now() - HOUR, sla_warn_at=timezone.now() - 2 * HOUR
        )
    for filters in searches:
        queries = plain if filters else plain + 2
        assert _queries(operator_client, {**filters, "sort": "sla"}) == queries


def test_page_links_carry_no_key_and_a_typed_key_changes_nothing(
    operator_client, deadlines, small_pages
):
    """The SLA sort's pages are read by position, as before: a forged ``after`` is ignored."""
    page = operator_client.get(URL, {"sort": "sla", "page": "2"})
    body = page.content.decode()
    assert "after=" not in body and "before=" not in body
    forged = operator_client.get(URL, {"sort": "sla", "page": "2", "after": "WyJ4Il0"})
    assert [r.pk for r in forged.context["object_list"]] == [
        r.pk for r in page.context["object_list"]
    ]
