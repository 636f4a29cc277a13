"""A technician's planner as an iCalendar feed (RFC 5545), written by hand: it is small.

Lines end with CRLF and are folded at 75 octets; text values escape backslash, semicolon,
comma and newlines. Times are in UTC; all-day activities use DATE values. Each activity's UID
is stable, and SEQUENCE is its version, so phone calendars update moved activities in place.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from calls import job
from calls.models import State
from planner.models import Activity

UTC = datetime.UTC


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a character."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        length = len(char.encode())
        if size + length > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += length
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y%m%d")


def _event(activity: Activity, host: str, stamp: str) -> list[str]:
    summary = str(activity.get_kind_display())
    description = [activity.notes] if activity.notes else []
    location = ""
    url = ""
    if activity.intervention_id:
        intervention = activity.intervention
        call = intervention.call
        summary = f"{intervention.code} – {call.customer.name}"
        # the problem, then the job's facts (address, contact and phone, serial, what to
        # bring, the page's link), then the planner's note
        description[:0] = [call.description, *job.job_lines(intervention)]
        location = f"{call.site.name}, {job.site_address(call.site)}"
        url = job.job_url(intervention)
    lines = [
        "BEGIN:VEVENT",
        f"UID:activity-{activity.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"SEQUENCE:{activity.version}",
        f"LAST-MODIFIED:{_utc(activity.updated_at)}",
    ]
    if activity.all_day:
        lines += [
            f"DTSTART;VALUE=DATE:{_date(activity.start)}",
            f"DTEND;VALUE=DATE:{_date(activity.end)}",
            "TRANSP:TRANSPARENT" if activity.is_absence else "TRANSP:OPAQUE",
        ]
    else:
        lines += [f"DTSTART:{_utc(activity.start)}", f"DTEND:{_utc(activity.end)}"]
    cancelled = activity.intervention_id and activity.intervention.state == State.CANCELLED
    lines.append("STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED")
    lines.append(f"SUMMARY:{escape_text(summary)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(chr(10).join(description))}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if url:
        lines.append(f"URL:{url}")
    lines.append(f"CATEGORIES:{escape_text(str(activity.get_kind_display()))}")
    lines.append("END:VEVENT")
    return lines


def calendar_for(user: User, activities: Iterable[Activity]) -> str:
    """The whole feed of ``user`` in their language."""
    host = urlsplit(settings.SITE_URL).hostname or "service-portal"
    stamp = _utc(timezone.now())
    with translation.override(user.language):
        name = _("Planner of %(name)s") % {"name": user}
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Service Portal//Planner//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{escape_text(name)}",
        ]
        for activity in activities:
            lines += _event(activity, host, stamp)
        lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
