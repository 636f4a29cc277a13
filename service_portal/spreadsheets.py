"""One cell writer for every CSV and Excel export of the portal.

**Formulas never run.** A spreadsheet program treats a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and, in some, a tab or a carriage return before one) as a formula: a customer
called ``=HYPERLINK(...)`` or a description ``=cmd|' /C calc'!A0`` would become a live link or
command in the office's spreadsheet. So (OWASP, "CSV injection"):

- in CSV such a text gets a leading apostrophe, which spreadsheet programs read as "this is
  text" (``neutralise``; the installed-base import removes it again: ``restore``);
- in Excel files every text is written as a text cell, never a formula, and such a text also
  gets Excel's quote prefix, so editing the cell later does not turn it into a formula. Numbers,
  dates and amounts are real numbers and dates.

**Files Excel opens.** CSV files start with a UTF-8 byte order mark (accents) and use the
reader's list separator: a semicolon and a decimal comma in Italian, German, French and Spanish,
a comma and a decimal point in English (``?separator=comma`` or ``semicolon`` chooses; the
pages offer "comma-separated" for other programs). Excel files are written with openpyxl's
write-only mode, row by row to a temporary file, and streamed: 10,000 rows take a few seconds
and little memory.

openpyxl was kept (it is already the portal's Excel reader for imports); XlsxWriter writes
faster but is a second library for the same format, and write-only openpyxl meets the target.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

# What makes a spreadsheet program read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Languages whose spreadsheets separate CSV fields with a comma (and use a decimal point).
COMMA_LANGUAGES = {"en"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters an Excel file cannot hold (openpyxl refuses them): control characters.
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_EXCEL_MAX_TEXT = 32767
# The separator choice a page's "comma-separated" link adds to the export's address.
SEPARATOR_PARAMETER = "separator"


def neutralise(text: str) -> str:
    """``=1+1`` -> ``'=1+1``: a text no spreadsheet program runs."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def restore(text: str) -> str:
    """What ``neutralise`` wrote, read back (imports of the portal's own CSV files)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal: str


COMMA = CsvFormat(",", ".")
SEMICOLON = CsvFormat(";", ",")


def csv_format(request: HttpRequest | None = None) -> CsvFormat:
    """The request's choice (``?separator=comma|semicolon``), else the language's habit."""
    choice = request.GET.get(SEPARATOR_PARAMETER, "") if request is not None else ""
    if choice == "comma":
        return COMMA
    if choice == "semicolon":
        return SEMICOLON
    language = (translation.get_language() or "en").split("-")[0]
    return COMMA if language in COMMA_LANGUAGES else SEMICOLON


def _number(value: Decimal | float | int, fmt: CsvFormat) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", fmt.decimal)


def csv_text(value: Any, fmt: CsvFormat) -> str:
    """One CSV field: numbers with the format's decimal mark and no grouping, dates as ISO
    8601 (every spreadsheet reads them), times local, texts neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int | float):
        return _number(value, fmt)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return neutralise(str(value))


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], fmt: CsvFormat
) -> Iterator[str]:
    """The BOM, the header and the rows as CSV lines (Python's csv module does the quoting)."""
    writer = csv.writer(_Echo(), delimiter=fmt.delimiter)
    yield "\ufeff"
    yield writer.writerow([csv_text(value, fmt) for value in header])
    for row in rows:
        yield writer.writerow([csv_text(value, fmt) for value in row])


def csv_response(
    request: HttpRequest,
    *,
    filename: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
) -> StreamingHttpResponse:
    """A CSV file streamed row by row: memory stays flat whatever the number of rows. The rows
    are produced while the response is sent, after the view returned: in the reader's language
    (labels, state names), kept here."""
    fmt = csv_format(request)
    language = translation.get_language()

    def lines() -> Iterator[str]:
        with translation.override(language):
            yield from csv_lines(header, rows, fmt)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Excel --------------------------------------------------------------------------------
@dataclass
class Sheet:
    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()


def excel_cell(sheet: Any, value: Any) -> Any:
    """A write-only cell: texts as text (never a formula or an error value), numbers as
    numbers, dates as dates. Plain values openpyxl writes right by itself are passed as they
    are (a cell object per value costs a third of the time)."""
    if isinstance(value, str):
        if (
            not value.startswith(FORMULA_TRIGGERS)
            and not value.startswith("#")
            and len(value) <= _EXCEL_MAX_TEXT
            and not _ILLEGAL.search(value)
        ):
            return value  # openpyxl writes it as text
        text = _ILLEGAL.sub("", value)[:_EXCEL_MAX_TEXT]
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would make "=..." a formula and "#N/A" an error
        if text.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)  # Excel has no time zones: the local time
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, datetime.date):
        return value  # openpyxl's date format: yyyy-mm-dd
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    if value is None or isinstance(value, bool | int | float):
        return value
    return excel_cell(sheet, str(value))


def write_workbook(sheets: Iterable[Sheet], handle: Any) -> None:
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(_sheet_title(spec.title))
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        if spec.widths:
            sheet.freeze_panes = "A2"
        sheet.append([excel_cell(sheet, value) for value in spec.header])
        for row in spec.rows:
            sheet.append([excel_cell(sheet, value) for value in row])
    workbook.save(handle)


def _sheet_title(title: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", "-", str(title))[:31] or "Sheet"


def excel_response(*, filename: str, sheets: Iterable[Sheet]) -> FileResponse:
    """The workbook written to a temporary file (never whole in memory) and streamed from it."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_workbook(sheets, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
