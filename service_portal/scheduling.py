"""Scheduled jobs: one registry, one command (``manage.py run_scheduled_jobs``), one lock.

Why not a library: django-tasks (already used for background tasks) has no periodic tasks in
the version we pin; Celery beat needs a broker and its own process; django-q2 and APScheduler
bring a second worker model next to django-tasks. A command run every few minutes by a systemd
timer (or cron) and by ``make run`` in development is all the portal needs (docs/operations.md).

Apps register their jobs in ``AppConfig.ready`` (this module imports no app)::

    scheduling.register("sla_warnings", send_sla_warnings, every=timedelta(minutes=5))

A job is a function without arguments returning a short text of what it did. Each run:

- takes a lock per job so that two machines (or two overlapping timers) never run the same job
  at once: a PostgreSQL advisory lock (``pg_try_advisory_lock``), released at the end or when
  the connection dies; on SQLite (one machine) an exclusive ``flock`` on a file in VAR_DIR;
  whoever does not get the lock records a *skipped* run and moves on;
- runs the job only if its last finished run is older than its interval (``--force`` ignores
  that), so running the command more often than a job's interval does no harm;
- records a ``JobRun`` row (started, finished, status, result or error, machine).

The jobs themselves are idempotent as well (a unique constraint per fee period, per warning):
the lock avoids doing the work twice, the constraints guarantee it.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import logging
import socket
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from service_portal.models import JobRun, JobRunStatus

logger = logging.getLogger(__name__)

# Advisory lock keys of the portal's jobs live in their own key space (the first int).
LOCK_NAMESPACE = 0x5350  # "SP"


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[], str]
    every: datetime.timedelta


_REGISTRY: dict[str, Job] = {}


def register(name: str, function: Callable[[], str], *, every: datetime.timedelta) -> Job:
    """Add a periodic job (called from an app's ``ready``; registering twice replaces)."""
    job = Job(name, function, every)
    _REGISTRY[name] = job
    return job


def jobs() -> list[Job]:
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextlib.contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Yields True when this process holds the job's lock, False when another one does."""
    if connection.vendor == "postgresql":
        key = _lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, key])
            (got,) = cursor.fetchone()
        try:
            yield bool(got)
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, key])
        return
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"job-{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_due(job: Job, now: datetime.datetime) -> bool:
    last = (
        JobRun.objects.filter(job=job.name, status=JobRunStatus.DONE)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return last is None or last <= now - job.every


def run_job(job: Job, *, force: bool = False) -> JobRun | None:
    """Run one job under its lock; None when it was not due."""
    host = socket.gethostname()[:100]
    with job_lock(job.name) as got:
        now = timezone.now()
        if not got:
            return JobRun.objects.create(
                job=job.name,
                started_at=now,
                finished_at=now,
                status=JobRunStatus.SKIPPED,
                host=host,
            )
        if not force and not is_due(job, now):
            return None
        run = JobRun.objects.create(job=job.name, started_at=now, host=host)
        try:
            result = job.function()
        except Exception as error:  # noqa: BLE001 - one failing job must not stop the others
            logger.exception("Scheduled job %s failed", job.name)
            run.status, run.result = JobRunStatus.FAILED, f"{type(error).__name__}: {error}"[:4000]
        else:
            run.status, run.result = JobRunStatus.DONE, (result or "")[:4000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "result", "finished_at"])
        return run


def run_all(names: list[str] | None = None, *, force: bool = False) -> list[JobRun]:
    """Run the registered jobs (or only ``names``) that are due; returns the runs recorded."""
    selected = [job for job in jobs() if names is None or job.name in names]
    runs = [run_job(job, force=force) for job in selected]
    return [run for run in runs if run is not None]
