"""The team's hours of a month as CSV or Excel (administrators): one row per time entry,
written by service_portal.spreadsheets."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from planner.selectors import team_entries
from service_portal import spreadsheets

WIDTHS = (12, 24, 14, 8, 8, 8, 16, 14, 50)


def _header() -> list[str]:
    return [
        _("Date"),
        _("Person"),
        _("Kind of work"),
        _("From"),
        _("To"),
        _("Hours"),
        _("Intervention"),
        _("Activity"),
        _("Description"),
    ]


def _rows(first: datetime.date, last: datetime.date):
    for entry in team_entries(first, last):
        yield [
            entry.date,
            str(entry.user),
            str(entry.get_kind_display()),
            entry.start_time.strftime("%H:%M") if entry.start_time else "",
            entry.end_time.strftime("%H:%M") if entry.end_time else "",
            entry.hours,
            entry.intervention.code if entry.intervention_id else "",
            str(entry.activity.get_kind_display()) if entry.activity_id else "",
            entry.description,
        ]


def _filename(first: datetime.date, extension: str) -> str:
    return f"hours-{first:%Y-%m}.{extension}"


def csv_response(request: HttpRequest, first: datetime.date, last: datetime.date) -> HttpResponse:
    return spreadsheets.csv_response(
        request, filename=_filename(first, "csv"), header=_header(), rows=_rows(first, last)
    )


def xlsx_response(first: datetime.date, last: datetime.date) -> HttpResponse:
    sheet = spreadsheets.Sheet(first.strftime("%Y-%m"), _header(), _rows(first, last), WIDTHS)
    return spreadsheets.excel_response(filename=_filename(first, "xlsx"), sheets=[sheet])
