"""``manage.py export_fatturapa [--year Y] [--number N] --output DIR``: the FatturaPA files of
the issued invoices and credit notes (all, a year's, or one) into DIR, one printed line each."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from invoicing.fatturapa import bundle
from invoicing.fatturapa.build import FatturaPAError


class Command(BaseCommand):
    help = (
        "Write the FatturaPA XML of the issued invoices and credit notes into a folder (all of "
        "them, one year's with --year, or one with --number), named as the SDI expects "
        "(IT<VAT>_<progressive>.xml), each validated against the official schema; prints the "
        "path of each file written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only the invoices numbered in this year")
        parser.add_argument(
            "--number",
            help="one invoice or credit note: its number in the year (with --year; both kinds "
            "when both have it) or its full code, e.g. 2026/0001",
        )
        parser.add_argument("--output", type=Path, required=True, help="the folder to write to")

    def handle(self, *args, year: int | None, number: str | None, output: Path, **options):
        invoices = bundle.issued()
        if year is not None:
            invoices = invoices.filter(year=year)
        if number:
            number = number.strip()
            invoices = (
                invoices.filter(number=int(number))
                if number.isdigit()
                else invoices.filter(code=number)
            )
        if output.exists() and not output.is_dir():
            raise CommandError(f"{output}: not a folder.")
        invoices = list(invoices)
        if number and not invoices:
            raise CommandError(f"No issued invoice or credit note {number}.")
        try:
            for _invoice, path in bundle.write(invoices, output):
                self.stdout.write(str(path))
        except FatturaPAError as error:
            raise CommandError(error.message) from None
