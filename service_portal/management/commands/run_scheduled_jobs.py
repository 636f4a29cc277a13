"""Run the portal's periodic jobs that are due (service_portal.scheduling, docs/operations.md).

Production: a systemd timer (or cron) runs it every five minutes on every app machine; the
locks make sure each job runs on one of them at a time. Development: ``make run`` starts it
with ``--loop 60``.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from service_portal import scheduling


class Command(BaseCommand):
    help = "Run the registered periodic jobs that are due (SLA warnings, contract fees, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--job", action="append", help="Run only this job (repeatable).")
        parser.add_argument(
            "--force", action="store_true", help="Run even if the job ran within its interval."
        )
        parser.add_argument("--list", action="store_true", help="List the registered jobs.")
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, every SECONDS (development; production uses a timer).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        known = {job.name for job in scheduling.jobs()}
        if options["list"]:
            for job in scheduling.jobs():
                self.stdout.write(f"{job.name}\tevery {job.every}")
            return
        names = options["job"]
        if names and set(names) - known:
            raise CommandError(f"Unknown job(s): {', '.join(sorted(set(names) - known))}.")
        while True:
            for run in scheduling.run_all(names, force=options["force"]):
                self.stdout.write(f"{run.job}: {run.status} {run.result}".rstrip())
            if options["loop"] <= 0:
                return
            close_old_connections()
            time.sleep(options["loop"])
