"""Demo data: the dashboard's daily call summaries, counted once the other apps' demo data is in
(the generated calls are written in bulk, without the signals that keep them)."""

from collections.abc import Iterator
from contextlib import contextmanager

from calls.summaries import rebuild, restamp
from dashboard import stamps
from planner import summaries as hours_summaries


@contextmanager
def bulk_load(scale: int) -> Iterator[None]:
    """While ``seed_demo --scale`` writes its volume in bulk (millions of calls, interventions
    and time entries at scale 100), the triggers that renew the dashboard's day stamps are off
    (each written row renewed its days); at the end they are back and every day gets a new
    stamp, so nothing the dashboard cached before the seed is read again."""
    stamps.uninstall()
    try:
        yield
    finally:
        stamps.install()
        restamp()


def seed(*, scale: int, progress) -> None:
    rows = rebuild()
    progress.step("call summaries", rows, rows)
    rows = hours_summaries.rebuild()
    progress.step("daily hours", rows, rows)
