"""The FatturaPA files of many issued invoices: a zip (the invoice list's download for the SDI
intermediary or the accountant) or a folder (``manage.py export_fatturapa``).

The invoices are read with their lines and the invoice each credit note credits in a fixed
number of queries (``issued``); each file is built and validated in memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db.models import QuerySet

from invoicing.fatturapa import build
from invoicing.models import Invoice, InvoiceState


def issued() -> QuerySet[Invoice]:
    """Issued invoices and credit notes with what their files read: the lines, the credited
    invoice and its lines (a credit note's line takes the nature of the line it credits when
    its copy lacks it); three queries whatever the number of invoices."""
    return (
        Invoice.objects.filter(state=InvoiceState.ISSUED)
        .select_related("credited")
        .prefetch_related("lines", "credited__lines")
        .order_by("issue_date", "kind", "year", "number", "pk")
    )


def files(invoices: Iterable[Invoice]) -> Iterator[tuple[Invoice, str, bytes]]:
    """(invoice, file name, XML) for each invoice, in the given order."""
    for invoice in invoices:
        yield invoice, build.filename(invoice), build.document(invoice)


def zip_bytes(invoices: Iterable[Invoice]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for _invoice, name, xml in files(invoices):
            archive.writestr(name, xml)
    return buffer.getvalue()


def write(invoices: Iterable[Invoice], folder: Path) -> Iterator[tuple[Invoice, Path]]:
    """Write each file into ``folder`` (created if needed), yielding it as it is written."""
    folder.mkdir(parents=True, exist_ok=True)
    for invoice, name, xml in files(invoices):
        path = folder / name
        path.write_bytes(xml)
        yield invoice, path
