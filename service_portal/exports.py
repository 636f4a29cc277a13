"""Size limits of the CSV and Excel exports.

A spreadsheet of tens of thousands of rows is never what someone meant to download, and building
one ties up an app process: the calls Excel took 18-28 s for 39,000 rows. Every export therefore
counts its rows first (a bounded count: it stops at the limit) and, above the limit, sends the
user back to the list with a message that asks for narrower filters. CSV files are streamed row
by row, so their limit is higher (``EXPORT_MAX_ROWS_CSV``) than Excel's (``EXPORT_MAX_ROWS_XLSX``),
which are written row by row to a temporary file first (service_portal.spreadsheets writes both).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats
from django.utils.translation import gettext as _

CSV = "csv"
EXCEL = "xlsx"


def limit_for(kind: str) -> int:
    return settings.EXPORT_MAX_ROWS_XLSX if kind == EXCEL else settings.EXPORT_MAX_ROWS_CSV


def exceeds(querysets: QuerySet | Iterable[QuerySet], limit: int) -> bool:
    """True when the querysets hold more than ``limit`` rows together; each count is cut off
    just past the limit, so a huge table costs no more than a small one."""
    if isinstance(querysets, QuerySet):
        querysets = [querysets]
    total = 0
    for queryset in querysets:
        total += queryset.order_by()[: limit + 1 - total].count()
        if total > limit:
            return True
    return False


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def too_large(
    request: HttpRequest,
    querysets: QuerySet | Iterable[QuerySet],
    *,
    kind: str,
    back: str,
    message: str | None = None,
) -> HttpResponse | None:
    """None when the export may go ahead; otherwise a redirect to ``back`` (the list with the
    same filters) carrying a message that says how to get a smaller file."""
    limit = limit_for(kind)
    if not exceeds(querysets, limit):
        return None
    if message is None and kind == EXCEL:
        message = _(
            "The Excel file would have more than %(limit)s rows. Narrow the filters (for example "
            "a shorter date range) and export again, or download the CSV file (up to "
            "%(csv_limit)s rows)."
        )
    elif message is None:
        message = _(
            "The export would have more than %(limit)s rows. Narrow the filters (for example a "
            "shorter date range) and export again."
        )
    text = message % {"limit": _number(limit), "csv_limit": _number(limit_for(CSV))}
    messages.error(request, text)
    return redirect(back)


def list_url(url: str, request: HttpRequest) -> str:
    """``url`` with the export's own filters (without ``page``), back to the same list."""
    query = request.GET.copy()
    query.pop("page", None)
    return f"{url}?{query.urlencode()}" if query else url
