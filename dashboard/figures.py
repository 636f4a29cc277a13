"""The dashboard's figures as HTML, kept in the cache and never behind the data.

Rendering the figures (a dozen tables, a row per technician, the charts' data) costs more than
computing them, and a year of figures reads the period's visits, state changes and calls. So
the rendered block is cached, keyed by everything it is made of:

- the filters and the reader's language (and time zone: the numbers and labels are localised);
- the stamps of the period's days and of the names day (``statistics.period_stamp``): renewed in
  the transaction of every change to a row the period's figures read (``dashboard.stamps``,
  database triggers; ``calls.summaries.stamp`` for the call summaries), so once a change is
  visible the key is another and the old block is not read again;
- the "now" figures (open calls by state, the planner's workload), read on every request (four
  cheap queries: a few summary rows and the interventions to do) and made part of the key by
  their values: they change with time and with data no day stamp covers;
- a digest of this app's code, templates and translations, so a deployment never serves a
  block rendered by the code before it.

And it expires by time alone when a figure would change without any write: the first visit of
the period's calls still to begin (the average time to the first visit counts begun visits)
and the first SLA deadline ahead of a running clock (a call then turns "breached"), both read
with the figures (``Dashboard.valid_until``). The presets' period ends today and the workload's
"today" is in its values, so midnight needs nothing more.

Why the order of reading matters (READ COMMITTED: every statement sees what was committed when
it began): the stamps are read first, the figures after. A change committed in between is in
the figures and stored under the stamps from before it, so an entry can be keyed older than its
data but never newer: a reader who still sees the old stamps gets figures at least as new as
what they see, and every reader after the change sees the new stamps and misses.
"""

from __future__ import annotations

import datetime
import hashlib
from functools import cache as once
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from dashboard import statistics
from dashboard.statistics import Filters, _key

# As the top units: the key changes with the data, the expiry only lets the cache forget
# periods nobody asks for again.
CACHE_SECONDS = 24 * 3600


@once
def _code_digest() -> str:
    """This app's Python, templates and compiled translations: what the block is made by."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html", ".mo"} and "migrations" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_key(filters: Filters, stamp: str, now_figures: object) -> str:
    parts = (
        _code_digest(),
        get_language(),
        timezone.get_current_timezone_name(),
        filters.date_from,
        filters.date_to,
        _key(filters.customer),
        _key(filters.technician),
        _key(filters.intervention_type),
        stamp,
        hashlib.sha256(repr(now_figures).encode()).hexdigest()[:16],
    )
    return "dashboard:figures:v1:" + ":".join(str(part) for part in parts)


def figures_html(filters: Filters, now: datetime.datetime | None = None) -> SafeString:
    """The figures' block of the dashboard page for ``filters``, from the cache when nothing it
    shows has changed since it was rendered (module docstring)."""
    now = now or timezone.now()
    # First the stamps, then the figures (module docstring).
    stamp = statistics.period_stamp(filters)
    open_calls = statistics.open_calls_by_state(filters)
    work = statistics.workload(filters, timezone.localdate(now))
    key = _cache_key(filters, stamp, (open_calls, work))
    entry = cache.get(key)
    if entry is not None and (entry["until"] is None or now < entry["until"]):
        return mark_safe(entry["html"])  # noqa: S308 - rendered by our template (render)
    board = statistics.dashboard(filters, open_calls=open_calls, work=work, now=now)
    html = render(board)
    cache.set(key, {"html": str(html), "until": board.valid_until}, CACHE_SECONDS)
    return html


def render(board: statistics.Dashboard) -> SafeString:
    """The block for computed figures. No request: it must not depend on the reader (context
    processors, the user), only on their language."""
    return render_to_string("dashboard/figures.html", {"board": board, "charts": chart_data(board)})


def chart_data(board: statistics.Dashboard) -> dict[str, Any]:
    """What static/dashboard/dashboard.js draws: labels and series, already translated.

    Numbers go as plain numbers (floats for hours): they are only drawn; the tables next to
    the charts show the exact values, localised.
    """
    calls = board.calls
    hours = board.hours.rows[:2]  # labour and travel; the total is in the table
    return {
        "open_calls": {
            "type": "bar",
            "integer": True,
            "labels": [row.label for row in board.open_calls],
            "series": [{"label": _("Calls"), "data": [row.count for row in board.open_calls]}],
        },
        "phone": {
            "type": "doughnut",
            "labels": [pgettext("calls", "Resolved by phone"), _("Needed an intervention")],
            "series": [
                {
                    "label": _("Calls"),
                    "data": [calls.resolved_by_phone, calls.considered - calls.resolved_by_phone],
                }
            ],
        },
        "hours": {
            "type": "bar",
            "labels": [row.label for row in hours],
            "series": [
                {
                    "label": pgettext("hours", "Quoted"),
                    "data": [float(row.quoted) for row in hours],
                },
                {
                    "label": pgettext("hours", "Actual"),
                    "data": [float(row.actual) for row in hours],
                },
            ],
        },
        "top_units": {
            "type": "bar",
            "horizontal": True,
            "integer": True,
            "labels": [row.label for row in board.top_units],
            "series": [{"label": _("Calls"), "data": [row.calls for row in board.top_units]}],
        },
        "top_products": {
            "type": "bar",
            "horizontal": True,
            "integer": True,
            "labels": [row.label for row in board.top_products],
            "series": [{"label": _("Calls"), "data": [row.calls for row in board.top_products]}],
        },
        "technicians": {
            "type": "bar",
            "stacked": True,
            "labels": [row.name for row in board.technicians],
            "series": [
                {"label": _("Labour"), "data": [float(r.labour) for r in board.technicians]},
                {"label": _("Travel"), "data": [float(r.travel) for r in board.technicians]},
                {
                    "label": pgettext("hours", "Other"),
                    "data": [float(r.other) for r in board.technicians],
                },
            ],
        },
    }
