"""The invoice list as CSV or Excel for the accountant: one row per invoice or credit note."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook


def _header() -> list[str]:
    return [
        _("Number"),
        _("Kind"),
        _("State"),
        _("Issue date"),
        _("Customer"),
        _("VAT number"),
        _("Fiscal code"),
        _("Taxable amount"),
        _("VAT"),
        _("Total"),
        _("Credit note of"),
    ]


def _rows(invoices):
    for invoice in invoices:
        yield [
            invoice.code or "",
            str(invoice.get_kind_display()),
            str(invoice.get_state_display()),
            invoice.issue_date.isoformat() if invoice.issue_date else "",
            invoice.customer_name or invoice.customer.name,
            invoice.customer_vat_number,
            invoice.customer_fiscal_code,
            invoice.taxable,
            invoice.vat,
            invoice.total,
            invoice.credited.code if invoice.credited_id else "",
        ]


def csv_response(invoices) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    for row in _rows(invoices):
        writer.writerow(row)
    # A BOM so that spreadsheet programs read the accents right.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="invoices.csv"'
    return response


def xlsx_response(invoices) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Invoices"))
    sheet.append(_header())
    for row in _rows(invoices):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="invoices.xlsx"'
    return response
