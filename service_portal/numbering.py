"""Readable, unique codes: one counter row per series and year.

``next_value`` locks the counter row with ``SELECT ... FOR UPDATE`` inside the caller's
transaction, so the number is consumed only if the caller commits: concurrent callers queue on
the row, a rolled-back caller gives its number back, and the sequence has no gaps and no
duplicates. The unique constraints on the codes themselves are the last line of defence.

On SQLite ``FOR UPDATE`` is a no-op, but the settings open every transaction as IMMEDIATE,
which serialises writers on the whole database: the same guarantee, less concurrency.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from service_portal.models import Counter


def next_value(series: str, year: int | None = None) -> tuple[int, int]:
    """Take the next number of ``series`` for ``year`` (default: the current local year).

    Must run inside ``transaction.atomic``: the caller's transaction holds the lock until it
    commits or rolls back. Returns ``(year, number)``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbering.next_value() must be called inside transaction.atomic().")
    if year is None:
        year = timezone.localdate().year
    # Create the row if it is the first number of the year; ignore_conflicts makes a concurrent
    # creator harmless (INSERT ... ON CONFLICT DO NOTHING).
    Counter.objects.bulk_create([Counter(series=series, year=year, value=0)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(series=series, year=year)
    counter.value += 1
    counter.save(update_fields=["value"])
    return year, counter.value


def next_code(series: str, *, width: int = 6, separator: str = "-", year: int | None = None) -> str:
    """Next code such as ``2026-000123`` for a series (calls, offers...)."""
    year, number = next_value(series, year)
    return f"{year}{separator}{number:0{width}d}"
