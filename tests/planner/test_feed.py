"""The iCalendar feed: valid RFC 5545 text, only the token owner's activities, revocable."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from planner import services
from planner.ical import escape_text, fold
from planner.models import ActivityKind
from tests.planner.factories import at, make_activity, make_planned, next_monday

pytestmark = pytest.mark.django_db

CONTENT_LINE = re.compile(r"^(?P<name>[A-Za-z0-9-]+)(?P<params>(;[^:]*)?):(?P<value>.*)$")


def parse_ical(data: bytes) -> dict:
    """A strict little parser: CRLF lines of at most 75 octets, balanced components.

    Returns {"properties": {...}, "events": [{name: (params, value)}, ...]}.
    """
    assert data.endswith(b"\r\n")
    raw_lines = data.split(b"\r\n")[:-1]
    for raw in raw_lines:
        assert b"\n" not in raw and b"\r" not in raw
        assert len(raw) <= 75, raw
    text_lines: list[str] = []
    for raw in raw_lines:
        line = raw.decode("utf-8")
        if line.startswith(" "):
            text_lines[-1] += line[1:]
        else:
            text_lines.append(line)
    stack: list[str] = []
    calendar: dict = {"properties": {}, "events": []}
    event: dict | None = None
    for line in text_lines:
        match = CONTENT_LINE.match(line)
        assert match, line
        name, params, value = match["name"].upper(), match["params"], match["value"]
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                event = {}
            continue
        if name == "END":
            assert stack and stack.pop() == value, line
            if value == "VEVENT":
                calendar["events"].append(event)
                event = None
            continue
        assert stack, line
        target = event if event is not None else calendar["properties"]
        target[name] = (params.lstrip(";"), value)
    assert stack == []
    assert calendar["properties"]["VERSION"][1] == "2.0"
    assert calendar["properties"]["PRODID"][1]
    for ev in calendar["events"]:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert required in ev, (required, ev)
        assert re.fullmatch(r"\d{8}T\d{6}Z", ev["DTSTAMP"][1])
    return calendar


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def test_the_feed_is_valid_icalendar_with_only_the_owners_activities(
    client, technician, other_technician
):
    planned = make_planned(technician)
    day = next_monday()
    own = make_activity(
        technician,
        ActivityKind.TRAINING,
        start=at(day, 15),
        end=at(day, 17),
        notes="Course; room 2, floor 1\nbring the laptop " + "x" * 80,
    )
    services.create_activity(
        acting_user=technician,
        technician=technician,
        kind=ActivityKind.HOLIDAY,
        start=at(day + datetime.timedelta(days=7), 0),
        end=at(day + datetime.timedelta(days=9), 0),
        all_day=True,
    )
    hidden = make_activity(other_technician, notes="Secret of otto")
    token = services.regenerate_feed_token(user=technician).token

    response = client.get(reverse("planner:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = parse_ical(response.content)
    events = {ev["UID"][1]: ev for ev in calendar["events"]}
    assert len(events) == 3
    assert not any(str(hidden.pk) == uid.split("@")[0].split("-")[1] for uid in events)
    assert b"Secret of otto" not in response.content

    intervention_event = next(e for uid, e in events.items() if f"-{planned.pk}@" in uid)
    assert planned.intervention.code in unescape(intervention_event["SUMMARY"][1])
    start_utc = planned.start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert intervention_event["DTSTART"][1] == start_utc

    training = next(e for uid, e in events.items() if f"-{own.pk}@" in uid)
    assert unescape(training["DESCRIPTION"][1]) == own.notes

    holiday = next(e for e in events.values() if e["DTSTART"][0] == "VALUE=DATE")
    assert holiday["DTSTART"][1] == (day + datetime.timedelta(days=7)).strftime("%Y%m%d")
    assert holiday["DTEND"][1] == (day + datetime.timedelta(days=9)).strftime("%Y%m%d")


def test_a_regenerated_or_revoked_token_stops_working(client, technician):
    old = services.regenerate_feed_token(user=technician).token
    new = services.regenerate_feed_token(user=technician).token
    assert client.get(reverse("planner:feed", args=[old])).status_code == 404
    assert client.get(reverse("planner:feed", args=[new])).status_code == 200
    services.revoke_feed_token(user=technician)
    assert client.get(reverse("planner:feed", args=[new])).status_code == 404


def test_an_inactive_persons_feed_is_gone(client, technician):
    token = services.regenerate_feed_token(user=technician).token
    technician.is_active = False
    technician.save()
    assert client.get(reverse("planner:feed", args=[token])).status_code == 404


def test_feed_settings_page_creates_and_revokes_the_link(technician_client, technician):
    url = reverse("planner:feed_settings")
    assert "feed-url" not in technician_client.get(url).content.decode()
    technician_client.post(url, {"action": "regenerate"})
    response = technician_client.get(url)
    token = technician.calendar_feed.token
    assert reverse("planner:feed", args=[token]) in response.content.decode()
    technician_client.post(url, {"action": "revoke"})
    technician.refresh_from_db()
    assert not type(technician).objects.filter(pk=technician.pk, calendar_feed__isnull=False)


def test_escaping_and_folding():
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    folded = fold("DESCRIPTION:" + "è" * 100)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == "DESCRIPTION:" + "è" * 100
