from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customers.importing import KINDS, ImportFileError, import_sheets, read_file


class Command(BaseCommand):
    help = (
        "Import customers, sites, contacts and units from a CSV or XLSX file, matched by "
        "external code; all rows or none. --dry-run only reports what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=list(KINDS), help="The records in a CSV file.")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            sheets = read_file(path.name, path.read_bytes(), kind=options["kind"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        report = import_sheets(sheets, dry_run=options["dry_run"])
        for row in report.rejected:
            for error in row.errors:
                self.stderr.write(f"{row.kind} row {row.line} ({row.external_code}): {error}")
        summary = report.summary()
        self.stdout.write(
            "{verb}: {created} created, {updated} updated, {unchanged} unchanged, "
            "{rejected} rejected.".format(
                verb="Applied" if report.applied else "Nothing saved", **summary
            )
        )
        if report.rejected:
            raise CommandError("Rejected rows: fix them and import the file again.")
