"""The invoice PDF, in the language frozen on the invoice (the customer's at issue time)."""

from __future__ import annotations

from django.conf import settings

from invoicing import billing
from invoicing.models import Invoice
from service_portal.pdf import render_pdf


def invoice_context(invoice: Invoice) -> dict:
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_lines": billing.totals(lines).by_rate,
        "company_name": settings.COMPANY_NAME,
    }


def invoice_pdf(invoice: Invoice) -> bytes:
    language = invoice.language or invoice.customer.language or settings.LANGUAGE_CODE
    return render_pdf(
        "invoicing/invoice_pdf.html",
        invoice_context(invoice),
        language=language,
        stylesheet=("pdf/lines.css", "invoicing/invoice_pdf.css"),
    )


def filename(invoice: Invoice) -> str:
    return f"invoice-{(invoice.code or str(invoice.pk)).replace('/', '-').replace(' ', '')}.pdf"
