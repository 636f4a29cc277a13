"""Recount the daily hours the dashboard reads (planner.summaries).

They are kept up to date by every change to a time entry; run this after loading hours by other
means than the portal (a restore of part of the data, SQL by hand) and from the nightly job,
beside ``rebuild_call_summaries``."""

from django.core.management.base import BaseCommand

from planner.summaries import rebuild


class Command(BaseCommand):
    help = "Recount the dashboard's daily hours from the time entries."

    def handle(self, *args, **options):
        rows = rebuild()
        if options["verbosity"]:
            self.stdout.write(f"{rows} daily hours rows written.")
