"""The offer document (PDF) and the e-mail that carries it, in the offer's language."""

from __future__ import annotations

from django.conf import settings

from orders.links import acceptance_url
from orders.models import Offer
from orders.selectors import DOCUMENT_RELATIONS, document_totals
from service_portal.mail import build_email
from service_portal.parties import parties_of
from service_portal.pdf import render_pdf


def offer_context(offer: Offer, *, show_prices: bool | None = None) -> dict:
    return {
        "offer": offer,
        "parties": parties_of(offer),
        "totals": document_totals(offer),
        "show_prices": offer.show_prices if show_prices is None else show_prices,
        "company_name": settings.COMPANY_NAME,
    }


def offer_pdf(offer: Offer, *, show_prices: bool | None = None) -> bytes:
    return render_pdf(
        "orders/pdf/offer.html",
        offer_context(offer, show_prices=show_prices),
        language=offer.language,
        stylesheet="orders/pdf/offer.css",
    )


def offer_filename(offer: Offer) -> str:
    return f"offer-{offer.code}-r{offer.revision}.pdf"


def offer_email(offer_id: int):
    offer = Offer.objects.select_related(*DOCUMENT_RELATIONS).get(pk=offer_id)
    return build_email(
        template="orders/email/offer",
        context={
            "offer": offer,
            "link": acceptance_url(offer.pk),
            "link_days": settings.OFFER_LINK_DAYS,
        },
        to=[offer.contact.email],
        language=offer.language,
        attachments=[(offer_filename(offer), offer_pdf(offer), "application/pdf")],
    )
