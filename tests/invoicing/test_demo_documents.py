"""Every invoice the demo data issues (an Italian company, an EU business, a customer outside the
EU, a public administration) carries what art. 21 DPR 633/1972 lists, read back from its PDF in
the customer's language, and its FatturaPA file agrees with it."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import formats, translation
from pypdf import PdfReader

from invoicing.documents import invoice_pdf
from invoicing.fatturapa import build as fatturapa
from invoicing.fatturapa import schema
from invoicing.models import Invoice, InvoiceState

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def _amount(value) -> str:
    return formats.number_format(abs(value), 2, use_l10n=True, force_grouping=True)


def _missing_art_21(invoice: Invoice, text: str) -> list[str]:
    """The elements of art. 21 (and of the Agenzia's rules for 0 % lines) not found in ``text``."""
    seller = invoice.seller
    flat = text.replace(" ", "")
    expected = {
        "seller's name": seller["legal_name"],
        "seller's VAT number": seller["vat_number"],
        "seller's address": seller["address"],
        "customer's name": invoice.customer_name,
        "number": invoice.code,
        "date": formats.date_format(invoice.issue_date, "SHORT_DATE_FORMAT"),
        "taxable amount": _amount(invoice.taxable),
        "total": _amount(invoice.total),
    }
    missing = [what for what, shown in expected.items() if not shown or shown not in text]
    # The customer's VAT number (or an Italian private person's fiscal code); a customer outside
    # the EU may have none (the FatturaPA file then carries the SDI's conventional code).
    identity = invoice.customer_vat_number or invoice.customer_fiscal_code
    if identity and identity not in text:
        missing.append("customer's VAT number or fiscal code")
    if not identity and invoice.customer_vat_regime != "non_eu":
        missing.append("customer's VAT number or fiscal code (none frozen)")
    if seller["iban"].replace(" ", "") not in flat:
        missing.append("IBAN")
    for line in invoice.lines.all():
        if line.description.split()[0] not in text:
            missing.append(f"line {line.description!r}")
        if _amount(line.amount) not in text:
            missing.append(f"amount of {line.description!r}")
        if line.vat_natura and line.vat_reference not in text:
            missing.append(f"legal reference of {line.vat_natura}")
    for due in invoice.due_dates.all():
        if formats.date_format(due.due_date, "SHORT_DATE_FORMAT") not in text:
            missing.append("due date")
    if invoice.split_payment and "17-ter" not in text:
        missing.append("split payment")
    return missing


def test_every_demo_invoice_holds_what_art_21_lists_and_its_xml_is_valid():
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    invoices = list(Invoice.objects.filter(state=InvoiceState.ISSUED).order_by("pk"))
    assert len(invoices) >= 5
    cases = set()
    for invoice in invoices:
        with translation.override(invoice.language or "it"):
            text = _text(invoice_pdf(invoice))
            missing = _missing_art_21(invoice, text)
        assert not missing, (invoice.code, invoice.customer_name, missing)
        cases.add(("pa" if invoice.customer_is_public_administration else "")
                  + invoice.customer_vat_regime)  # fmt: skip
        xml = fatturapa.document(invoice)
        assert not schema.errors(xml), schema.errors(xml)
        assert f"<ImportoTotaleDocumento>{invoice.total:.2f}<" in xml.decode()
    assert {"italian", "eu_business", "non_eu", "paitalian"} <= cases
