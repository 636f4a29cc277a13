"""The invoice list as CSV or Excel for the accountant: one row per invoice or credit note
(written by service_portal.spreadsheets)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from invoicing.selectors import ExpenseRow
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


# --- The expenses report: one row per reimbursed expense -----------------------------------------
def _expenses_header() -> list[str]:
    return [
        _("Technician"),
        _("Date"),
        _("Intervention"),
        _("Customer"),
        _("Kind"),
        _("Kilometres"),
        _("Reimbursed"),
        _("Billed to the customer"),
        _("Note"),
    ]


def _expense_rows(rows: list[ExpenseRow]):
    for row in rows:
        expense = row.expense
        technician = expense.intervention.technician
        yield [
            technician.get_full_name() or technician.username if technician else "",
            expense.date,
            expense.intervention.code,
            expense.intervention.call.customer.name,
            str(expense.get_kind_display()),
            expense.km,
            row.reimbursed,
            _("yes") if row.billed else _("no"),
            expense.note,
        ]


def expenses_csv(request: HttpRequest, rows: list[ExpenseRow], filename: str) -> HttpResponse:
    return spreadsheets.csv_response(
        request, filename=f"{filename}.csv", header=_expenses_header(), rows=_expense_rows(rows)
    )


def expenses_xlsx(rows: list[ExpenseRow], filename: str) -> HttpResponse:
    sheet = spreadsheets.Sheet(_("Expenses"), _expenses_header(), _expense_rows(rows))
    return spreadsheets.excel_response(filename=f"{filename}.xlsx", sheets=[sheet])
