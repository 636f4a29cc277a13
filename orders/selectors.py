"""Reads for the offer and order pages, with their joins, so each page runs a fixed number of
queries whatever the number of lines."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from orders.models import Offer, Order, SparePart
from orders.totals import Totals, compute_totals
from service_portal.i18n import localized_fields
from service_portal.permissions import STAFF, check_role

DOCUMENT_RELATIONS = (
    "customer",
    "site",
    "contact",
    "unit",
    "unit__product",
    "billing_customer",
    "billing_site",
    "billing_contact",
    "payment_method",
    "vat_rate",
    "delivery_term",
    "transport",
)


def get_offer_for(user: Any, pk: int) -> Offer:
    """Offers are office work: staff only (403 for others), 404 for unknown offers."""
    check_role(user, STAFF)
    return get_object_or_404(Offer.objects.select_related(*DOCUMENT_RELATIONS), pk=pk)


def get_order_for(user: Any, pk: int) -> Order:
    check_role(user, STAFF)
    return get_object_or_404(Order.objects.select_related(*DOCUMENT_RELATIONS, "offer"), pk=pk)


def document_totals(document: Offer | Order) -> Totals:
    return compute_totals(document.lines.select_related("vat_rate", "spare_part"))


def parts_for_cart(*, query: str, offer: Offer, limit: int = 20) -> QuerySet[SparePart]:
    """Active parts matching ``query``; the ones that fit the offer's unit come first."""
    parts = SparePart.objects.filter(is_active=True)
    query = query.strip()
    if query:
        condition = Q(code__icontains=query)
        for name in localized_fields("description"):
            condition |= Q(**{f"{name}__icontains": query})
        parts = parts.filter(condition)
    product_id = offer.unit.product_id if offer.unit_id else None
    if product_id:
        fitting = SparePart.objects.filter(pk__in=parts.values("pk"), products=product_id)
        parts = parts.annotate(
            fits=Case(
                When(pk__in=fitting.values("pk"), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ).order_by("-fits", "code")
    else:
        parts = parts.annotate(fits=Value(0, output_field=IntegerField())).order_by("code")
    if not query and not product_id:
        return parts.none()
    if not query:
        parts = parts.filter(products=product_id)
    return parts.select_related("vat_rate")[:limit]
