"""The team's hours of a month as CSV or Excel (administrators): one row per time entry."""

from __future__ import annotations

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from planner.selectors import team_entries


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


def csv_response(first: datetime.date, last: datetime.date) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    for row in _rows(first, last):
        row[0] = row[0].isoformat()
        writer.writerow(row)
    # A BOM so that spreadsheet programs read the accents right.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(first, "csv")}"'
    return response


def xlsx_response(first: datetime.date, last: datetime.date) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = first.strftime("%Y-%m")
    sheet.append(_header())
    for row in _rows(first, last):
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd"
        sheet.cell(row=sheet.max_row, column=6).number_format = "0.00"
    for index, width in enumerate([12, 24, 14, 8, 8, 8, 16, 14, 50], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(first, "xlsx")}"'
    return response
