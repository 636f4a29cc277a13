"""The quote PDF, in the customer's language: the frozen customer of a confirmed quote, the live
one of a draft (``service_portal.parties``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

from quotes.links import acceptance_url
from quotes.models import Quote
from service_portal.mail import build_email
from service_portal.parties import parties_of
from service_portal.pdf import render_pdf


def quote_context(quote: Quote) -> dict[str, Any]:
    lines = list(quote.lines.all())
    return {
        "quote": quote,
        "parties": parties_of(quote),
        "lines": lines,
        "totals": quote.totals(lines),
        "company_name": settings.COMPANY_NAME,
    }


def quote_language(quote: Quote) -> str:
    """The customer's language when the quote was confirmed (a draft: the customer's now)."""
    frozen = (quote.issued_parties or {}).get("customer") or {}
    return frozen.get("language") or quote.customer.language or settings.LANGUAGE_CODE


def quote_pdf(quote: Quote) -> bytes:
    language = quote_language(quote)
    with translation.override(language):  # a draft's live parties: the country by name
        context = quote_context(quote)
    return render_pdf(
        "quotes/quote_pdf.html",
        context,
        language=language,
        stylesheet=("pdf/lines.css", "quotes/quote_pdf.css"),
    )


def filename(quote: Quote) -> str:
    return f"quote-{quote.code}.pdf"


def quote_email(quote_id: int):
    """The quote to its contact, in the customer's language, with the PDF and the link."""
    quote = Quote.objects.select_related("customer", "contact", "replaces").get(pk=quote_id)
    return build_email(
        template="quotes/email/quote",
        context={
            "quote": quote,
            "link": acceptance_url(quote.pk),
            "link_days": settings.QUOTE_LINK_DAYS,
        },
        to=[quote.contact.email],
        language=quote_language(quote),
        attachments=[(filename(quote), quote_pdf(quote), "application/pdf")],
    )
