"""The planner board's grid cells as HTML, written in Python once per request.

A month with 50 technicians has 1,500 cells; through the template language each cell cost a
dozen node renders (classes, link, label, hours, one include or dot per activity), which made
the month board the slowest page of the portal. The markup is the one the template wrote: the
same classes, data attributes, link, label and badges, so styles, ``board.js`` and the tests see
no difference. Every string that repeats (kind labels, hour figures, a technician's link and
name, a day's long date) is formatted and escaped once per request, not once per cell.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from calls.models import State
from planner.models import ActivityKind
from planner.selectors import BoardActivity, BoardRow
from service_portal.links import DAY_MARKER, ID_MARKERS, url_pattern


class _Memo(dict):
    """A dict that computes a missing value with ``factory`` (per-request caches)."""

    def __init__(self, factory):
        super().__init__()
        self.factory = factory

    def __missing__(self, key):
        value = self[key] = self.factory(key)
        return value


def _hours_figure(hours: Decimal) -> str:
    return escape(floatformat(hours, "-2"))


def _time(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def render_rows(
    rows: list[BoardRow], days: list[datetime.date], *, view: str, today: datetime.date
) -> None:
    """Set ``row.cells_html`` on each row: its ``<td>`` cells, ready for the template."""
    kinds = {value: escape(str(label)) for value, label in ActivityKind.choices}
    hours = _Memo(_hours_figure)
    customers = _Memo(lambda name: escape(Truncator(name).chars(24)))
    # One reverse() for the 1,500 links: "/planner/day/{technician}/{day}/".
    day_url = url_pattern("planner:day", ID_MARKERS[0], DAY_MARKER)
    label_format = _("%(name)s, %(day)s")
    summary_format = _("%(hours)s of %(capacity)s h")
    load_format = _("Load %(percent)s%%")
    today_iso = today.isoformat()
    # Per day: ISO date, long date (for the label) and the classes every row shares.
    per_day = []
    for day in days:
        classes = "planner-cell"
        if day.weekday() >= 5:
            classes += " planner-weekend"
        per_day.append((day.isoformat(), date_format(day, "DATE_FORMAT"), classes, day == today))
    for row in rows:
        person = row.technician
        pk = person.pk
        name = str(person)
        # The row's heading: today's page of the technician, the hours planned and the load.
        row.today_url = day_url.format(pk, today_iso)
        row.summary = summary_format % {
            "hours": floatformat(row.hours, "-2"),
            "capacity": floatformat(row.capacity, "0"),
        }
        row.load_title = load_format % {"percent": row.load_percent}
        parts = []
        for cell, (iso, long_date, classes, is_today) in zip(row.cells, per_day, strict=True):
            if cell.absent:
                classes += " planner-absent"
            if is_today:
                classes += " planner-today"
            label = escape(label_format % {"name": name, "day": long_date})
            url = day_url.format(pk, iso)
            inner = ""
            if cell.hours:
                figure = hours[cell.hours]
                inner = f'<span class="badge text-bg-light planner-hours">{figure} h</span>'
            if cell.activities:
                if view == "week":
                    inner += "".join(_badge(a, kinds, customers) for a in cell.activities)
                else:
                    inner += "".join(_dot(a, kinds) for a in cell.activities)
            parts.append(
                f'<td class="{classes}" data-day="{iso}" data-technician="{pk}">'
                f'<a class="planner-day-link" href="{url}">'
                f'<span class="visually-hidden">{label}</span>{inner}</a></td>'
            )
        row.cells_html = mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def _dot(activity: BoardActivity, kinds: dict[str, str]) -> str:
    """The month's dot: its title is the activity (kind, and the intervention's code)."""
    title = kinds[activity.kind]
    if activity.intervention_id:
        title = f"{title} {escape(activity.code)}"
    return f'<span class="planner-dot planner-kind-{activity.kind}" title="{title}"></span>'


def _badge(activity: BoardActivity, kinds: dict[str, str], customers: _Memo) -> str:
    """The week's badge: time, intervention code and customer (``_activity_badge.html``)."""
    kind = kinds[activity.kind]
    classes = f"planner-activity planner-kind-{activity.kind}"
    if activity.state == State.CANCELLED:
        classes += " planner-cancelled"
    title = f"{kind}: {escape(activity.notes)}" if activity.notes else kind
    text = ""
    if not activity.all_day:
        text = f'<span class="planner-time">{_time(activity.start)}–{_time(activity.end)}</span> '
    if activity.intervention_id:
        text += f"{escape(activity.code)} · {customers[activity.customer]}"
    else:
        text += kind
    return f'<span class="{classes}" title="{title}">{text}</span>'
