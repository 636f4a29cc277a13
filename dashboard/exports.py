"""The dashboard as CSV: every figure for the chosen filters, one row each.

Columns: section, item, detail, value. Headers, labels, the list separator and the decimal mark
follow the user's language (service_portal.spreadsheets); ``?separator=comma`` gives commas and
decimal points for scripts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from dashboard.statistics import Dashboard
from service_portal import spreadsheets


def _value(value: Any) -> Any:
    return "" if value is None else value


def rows(board: Dashboard) -> Iterator[list[Any]]:
    f = board.filters
    section = _("Filters")
    yield [section, pgettext("date range", "From"), "", f.date_from.isoformat()]
    yield [section, pgettext("date range", "To"), "", f.date_to.isoformat()]
    yield [section, _("Customer"), "", f.customer.name if f.customer else ""]
    yield [section, _("Technician"), "", str(f.technician) if f.technician else ""]
    yield [
        section,
        _("Intervention type"),
        "",
        str(f.intervention_type) if f.intervention_type else "",
    ]

    section = _("Open calls by state")
    for row in board.open_calls:
        yield [section, row.label, "", row.count]

    section = _("Workload now")
    work = board.workload
    yield [section, _("Interventions on the planner today"), "", work.today]
    yield [section, _("Interventions on the planner this week"), "", work.this_week]
    yield [section, _("Unplanned interventions waiting"), "", work.unplanned]
    yield [section, _("Overdue interventions"), "", work.overdue]

    section = _("Calls received in the period")
    calls = board.calls
    yield [section, _("Calls received"), "", calls.received]
    yield [section, _("Cancelled"), "", calls.cancelled]
    yield [section, pgettext("calls", "Resolved by phone"), "", calls.resolved_by_phone]
    yield [section, _("Share resolved by phone (%)"), "", _value(calls.phone_share)]
    yield [
        section,
        _("Average time from call to first visit (hours)"),
        ngettext("%(count)s call", "%(count)s calls", calls.visited) % {"count": calls.visited},
        _value(calls.hours_to_first_visit),
    ]
    yield [
        section,
        _("Average time from call to completion (hours)"),
        ngettext("%(count)s call", "%(count)s calls", calls.completed) % {"count": calls.completed},
        _value(calls.hours_to_completion),
    ]

    section = _("Hours quoted vs actual")
    yield [section, _("Interventions compared"), "", board.hours.interventions]
    for row in board.hours.rows:
        yield [section, row.label, pgettext("hours", "Quoted"), row.quoted]
        yield [section, row.label, pgettext("hours", "Actual"), row.actual]
        yield [section, row.label, _("Difference"), row.difference]

    section = _("Top units by calls")
    for top in board.top_units:
        yield [section, top.label, top.detail, top.calls]
    section = _("Top products by calls")
    for top in board.top_products:
        yield [section, top.label, top.detail, top.calls]

    section = _("Activity per technician")
    for tech in board.technicians:
        yield [section, tech.name, _("Visits"), tech.visits]
        yield [section, tech.name, _("Interventions completed"), tech.completed]
        yield [section, tech.name, _("Labour hours"), tech.labour]
        yield [section, tech.name, _("Travel hours"), tech.travel]
        yield [section, tech.name, _("Other hours"), tech.other]


def csv_response(request: HttpRequest, board: Dashboard) -> HttpResponse:
    f = board.filters
    return spreadsheets.csv_response(
        request,
        filename=f"dashboard-{f.date_from.isoformat()}-{f.date_to.isoformat()}.csv",
        header=[_("Section"), _("Item"), _("Detail"), _("Value")],
        rows=rows(board),
    )
