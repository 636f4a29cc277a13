"""``manage.py import_spare_parts FILE``: the ERP's spare-part list into the catalogue."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orders.importing import ImportFileError, import_spare_parts


class Command(BaseCommand):
    help = (
        "Import spare parts from a CSV or XLSX file: updates existing codes, adds new ones, "
        "never deletes; rejected rows are listed with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            with file.open("rb") as stream:
                report = import_spare_parts(stream, file.name)
        except ImportFileError as exc:
            raise CommandError(f"{file.name}: {exc} Nothing was imported.") from None
        for row, code, reason in report.rejected:
            self.stderr.write(f"row {row} ({code or '-'}): {reason}")
        style = self.style.WARNING if report.rejected else self.style.SUCCESS
        self.stdout.write(style(f"{file.name}: {report.summary()}"))
