"""Recount the daily call summaries (calls.summaries) and daily hours (planner.summaries) the
dashboard reads.

They are kept up to date by every change to a call or a time entry; run this after loading data
by other means than the portal (a restore of part of the data, SQL by hand) and from the
nightly job."""

from django.core.management.base import BaseCommand

from calls.summaries import rebuild
from planner import summaries as hours_summaries


class Command(BaseCommand):
    help = "Recount the dashboard's daily call summaries and daily hours from the data."

    def handle(self, *args, **options):
        rows = rebuild()
        hours = hours_summaries.rebuild()
        if options["verbosity"]:
            self.stdout.write(f"{rows} summary rows written.")
            self.stdout.write(f"{hours} daily hours rows written.")
