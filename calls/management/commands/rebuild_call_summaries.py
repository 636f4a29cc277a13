"""Recount the daily call summaries the dashboard reads (calls.summaries).

They are kept up to date by every change to a call; run this after loading calls by other
means than the portal (a restore of part of the data, SQL by hand) and from the nightly job."""

from django.core.management.base import BaseCommand

from calls.summaries import rebuild


class Command(BaseCommand):
    help = "Recount the daily call summaries of the dashboard from the calls."

    def handle(self, *args, **options):
        rows = rebuild()
        if options["verbosity"]:
            self.stdout.write(f"{rows} summary rows written.")
