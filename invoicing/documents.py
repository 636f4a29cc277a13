"""The invoice PDF, in the language frozen on the invoice (the customer's at issue time)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.utils.functional import lazy

from invoicing import vat
from invoicing.models import Invoice
from service_portal.company import Branding, branding
from service_portal.fiscal import format_iban
from service_portal.pdf import render_pdf


def seller_branding(invoice: Invoice) -> Branding:
    """The letterhead of an issued invoice: the seller frozen on the day of issue (with today's
    logo and footer), not the profile as it is now."""
    current = branding()
    if not invoice.seller:
        return current
    seller = dict(invoice.seller)
    province = f" ({seller['province']})" if seller.get("province") else ""
    seller["place"] = f"{seller.get('postal_code', '')} {seller.get('city', '')}{province}".strip()
    seller["share_capital"] = (
        Decimal(seller["share_capital"]) if seller.get("share_capital") else None
    )
    # The footer is read when the document is rendered, in the document's language.
    profile = current.profile
    seller["footer_text"] = lazy(lambda: profile.footer_text if profile else "", str)()
    return Branding(profile=SimpleNamespace(**seller), logo_source=current)  # type: ignore[arg-type]


def invoice_context(invoice: Invoice) -> dict:
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_lines": vat.summary(lines),
        "company": seller_branding(invoice),
        "iban": format_iban(invoice.seller.get("iban", "")) if invoice.seller else "",
        # Frozen at issue (invoicing.payments.freeze_terms); none on a credit note.
        "payment_term": getattr(invoice, "payment_terms", None),
        "due_dates": list(invoice.due_dates.all()),
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
