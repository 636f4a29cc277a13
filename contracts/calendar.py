"""The company's working calendar: business time for the SLA clocks.

Business time runs on the working weekdays (``SLA_WORKING_DAYS``), inside the day's working
periods (``SLA_WORKING_HOURS``, in ``TIME_ZONE``), except on the public holidays of
``SLA_HOLIDAY_COUNTRY`` (the ``holidays`` library, kept current by its maintainers: Easter
Monday moves every year) and on the company closures (``contracts.Closure``). Intervals in which
a clock is paused (the call waits for the customer) are left out as well.

All arithmetic is on aware datetimes; a day's periods are built in local time, so a change of
daylight saving time keeps "08:30" at 08:30.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Interval = tuple[datetime.datetime, datetime.datetime]

# A clock never looks further ahead than this (a target of thousands of hours is a typo).
HORIZON_DAYS = 3 * 366


def _parse_periods(raw: str) -> list[tuple[datetime.time, datetime.time]]:
    periods = []
    try:
        for chunk in raw.split(","):
            start, end = (datetime.time.fromisoformat(p.strip()) for p in chunk.split("-"))
            if end <= start:
                raise ValueError(chunk)
            periods.append((start, end))
    except ValueError:
        raise ImproperlyConfigured(
            f"SLA_WORKING_HOURS must read like 08:30-12:30,14:00-18:00, got {raw!r}."
        ) from None
    return sorted(periods)


def _subtract(span: Interval, pauses: list[Interval]) -> Iterator[Interval]:
    """The parts of ``span`` outside ``pauses`` (sorted by start)."""
    start, end = span
    for p_start, p_end in pauses:
        if p_end <= start or p_start >= end:
            continue
        if p_start > start:
            yield start, p_start
        start = max(start, p_end)
        if start >= end:
            return
    if start < end:
        yield start, end


@dataclass
class WorkingCalendar:
    """The business hours; ``closures`` are (first day, last day) pairs."""

    weekdays: frozenset[int]
    periods: list[tuple[datetime.time, datetime.time]]
    country: str
    closures: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)
    zone: datetime.tzinfo = datetime.UTC

    def __post_init__(self) -> None:
        self._holidays = holidays.country_holidays(self.country)

    @classmethod
    def from_settings(cls) -> WorkingCalendar:
        """The company's calendar: the settings and the closures (one query)."""
        from contracts.models import Closure

        weekdays = frozenset(settings.SLA_WORKING_DAYS)
        if not weekdays or not weekdays <= set(range(1, 8)):
            raise ImproperlyConfigured("SLA_WORKING_DAYS must list weekdays from 1 to 7.")
        return cls(
            weekdays=weekdays,
            periods=_parse_periods(settings.SLA_WORKING_HOURS),
            country=settings.SLA_HOLIDAY_COUNTRY,
            closures=list(Closure.objects.values_list("start_date", "end_date")),
            zone=ZoneInfo(settings.TIME_ZONE),
        )

    def is_working_day(self, day: datetime.date) -> bool:
        if day.isoweekday() not in self.weekdays or day in self._holidays:
            return False
        return not any(first <= day <= last for first, last in self.closures)

    def _day_spans(self, day: datetime.date) -> list[Interval]:
        if not self.is_working_day(day):
            return []
        return [
            (
                datetime.datetime.combine(day, start, self.zone),
                datetime.datetime.combine(day, end, self.zone),
            )
            for start, end in self.periods
        ]

    def spans(
        self, start: datetime.datetime, pauses: Iterable[Interval] = ()
    ) -> Iterator[Interval]:
        """Business intervals from ``start`` on, pauses left out, up to the horizon."""
        pauses = sorted(pauses)
        day = start.astimezone(self.zone).date()
        for _ in range(HORIZON_DAYS):
            for span_start, span_end in self._day_spans(day):
                if span_end <= start:
                    continue
                yield from _subtract((max(span_start, start), span_end), pauses)
            day += datetime.timedelta(days=1)

    def add(
        self,
        start: datetime.datetime,
        duration: datetime.timedelta,
        pauses: Iterable[Interval] = (),
    ) -> datetime.datetime | None:
        """The moment ``duration`` of business time after ``start`` (None past the horizon)."""
        left = duration
        for span_start, span_end in self.spans(start, pauses):
            length = span_end - span_start
            if length >= left:
                return span_start + left
            left -= length
        return None

    def between(
        self,
        start: datetime.datetime,
        end: datetime.datetime,
        pauses: Iterable[Interval] = (),
    ) -> datetime.timedelta:
        """Business time from ``start`` to ``end``."""
        total = datetime.timedelta(0)
        if end <= start:
            return total
        for span_start, span_end in self.spans(start, pauses):
            if span_start >= end:
                break
            total += min(span_end, end) - span_start
        return total
