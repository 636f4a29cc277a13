"""The invoice list as CSV or Excel for the accountant: one row per invoice or credit note
(written by service_portal.spreadsheets)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from service_portal import spreadsheets


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
            invoice.issue_date,
            invoice.customer_name or invoice.customer.name,
            invoice.customer_vat_number,
            invoice.customer_fiscal_code,
            invoice.taxable,
            invoice.vat,
            invoice.total,
            invoice.credited.code if invoice.credited_id else "",
        ]


def csv_response(request: HttpRequest, invoices) -> HttpResponse:
    return spreadsheets.csv_response(
        request, filename="invoices.csv", header=_header(), rows=_rows(invoices)
    )


def xlsx_response(invoices) -> HttpResponse:
    sheet = spreadsheets.Sheet(_("Invoices"), _header(), _rows(invoices))
    return spreadsheets.excel_response(filename="invoices.xlsx", sheets=[sheet])
