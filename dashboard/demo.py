"""Demo data: the dashboard's daily call summaries, counted once the other apps' demo data is in
(the generated calls are written in bulk, without the signals that keep them)."""

from calls.summaries import rebuild


def seed(*, scale: int, progress) -> None:
    rows = rebuild()
    progress.step("call summaries", rows, rows)
