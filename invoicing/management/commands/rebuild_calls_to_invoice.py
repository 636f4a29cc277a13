"""Recompute the calls waiting to be invoiced that the batch preview reads (invoicing.waiting).

They are kept by database triggers in the transaction of every change; run this after a restore
of part of the data, or if the triggers were ever dropped (``migrate`` puts them back)."""

from django.core.management.base import BaseCommand

from invoicing.waiting import install, rebuild


class Command(BaseCommand):
    help = "Recompute the calls waiting to be invoiced (the batch preview's rows) from the calls."

    def handle(self, *args, **options):
        install()
        rows = rebuild()
        if options["verbosity"]:
            self.stdout.write(f"{rows} calls waiting to be invoiced.")
