"""The offer document (PDF) and the e-mail that carries it, in the offer's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from orders.links import acceptance_url
from orders.models import Offer, Order
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


def office_recipients(author: Any) -> list[Any]:
    """The offer's author and every active operator with an e-mail address, once each."""
    from accounts.models import User
    from service_portal.roles import Role

    people = {author.pk: author} if author.is_active and author.email else {}
    for user in User.objects.filter(role=Role.OPERATOR, is_active=True).exclude(email=""):
        people.setdefault(user.pk, user)
    return list(people.values())


def decision_emails(offer_id: int) -> list:
    offer = Offer.objects.select_related("customer", "created_by").get(pk=offer_id)
    order = Order.objects.filter(offer=offer).first()
    messages = []
    for user in office_recipients(offer.created_by):
        messages.append(
            build_email(
                template="orders/email/offer_decision",
                context={
                    "offer": offer,
                    "order": order,
                    "offer_url": settings.SITE_URL + offer.get_absolute_url(),
                    "order_url": settings.SITE_URL + order.get_absolute_url() if order else "",
                },
                to=[user.email],
                language=user.language or settings.LANGUAGE_CODE,
            )
        )
    return messages


# --- Order confirmation and delivery notes --------------------------------------------------
def order_confirmation_pdf(order: Order) -> bytes:
    return render_pdf(
        "orders/pdf/order_confirmation.html",
        {
            "order": order,
            "parties": parties_of(order),
            "totals": document_totals(order),
            "show_prices": True,
            "delivery_date": order.expected_delivery,
        },
        language=order.language,
        stylesheet="orders/pdf/offer.css",
    )


def order_confirmation_filename(order: Order) -> str:
    return f"order-{order.code}.pdf"


def order_confirmation_email(order_id: int):
    order = Order.objects.select_related(*DOCUMENT_RELATIONS).get(pk=order_id)

    return build_email(
        template="orders/email/order_confirmation",
        context={"order": order, "delivery_date": order.expected_delivery},
        to=[order.contact.email],
        language=order.language,
        attachments=[
            (order_confirmation_filename(order), order_confirmation_pdf(order), "application/pdf")
        ],
    )


def delivery_note_pdf(shipment) -> bytes:
    order = shipment.order
    return render_pdf(
        "orders/pdf/delivery_note.html",
        {
            "shipment": shipment,
            "order": order,
            "parties": parties_of(order),
            "lines": list(shipment.lines.select_related("order_line")),
        },
        language=order.language,
        stylesheet="orders/pdf/offer.css",
    )


def delivery_note_filename(shipment) -> str:
    return f"ddt-{shipment.year}-{shipment.number:05d}.pdf"
