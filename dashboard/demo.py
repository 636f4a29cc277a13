"""Demo data: the dashboard's daily call summaries, counted once the other apps' demo data is in
(the generated calls are written in bulk, without the signals that keep them)."""

from calls.summaries import rebuild
from planner import summaries as hours_summaries


def seed(*, scale: int, progress) -> None:
    rows = rebuild()
    progress.step("call summaries", rows, rows)
    rows = hours_summaries.rebuild()
    progress.step("daily hours", rows, rows)
