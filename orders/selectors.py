"""Reads for the offer and order pages, with their joins, so each page runs a fixed number of
queries whatever the number of lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.shortcuts import get_object_or_404

from customers.models import Contact, Customer, Site, Unit
from orders import access
from orders.models import Offer, Order, SparePart, lines_totals
from service_portal.i18n import localized_fields
from service_portal.money import Totals

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


def part_matches(text: str, prefix: str = "") -> Q:
    """The spare part's code or any of its descriptions contains ``text``, whatever the case
    (accents as typed): the catalogue, the offer cart and a warehouse's stock search with it
    (``prefix``: the path to the part, ``"spare_part__"`` from a stock level).

    On PostgreSQL each ``icontains`` is ``UPPER(col::text) LIKE UPPER('%...%')``, the expression
    of the part's trigram indexes (orders' migrations 0003 and 0012, one per column): the OR
    reads six small index scans instead of every part. A column left out of those indexes would
    send the whole OR back to reading the table.
    """
    condition = Q(**{f"{prefix}code__icontains": text})
    for name in localized_fields("description"):
        condition |= Q(**{f"{prefix}{name}__icontains": text})
    return condition


def get_offer_for(user: Any, pk: int) -> Offer:
    """Offers are office work: staff only (403 for others), 404 for unknown offers."""
    access.check_may_sell(user)
    return get_object_or_404(Offer.objects.select_related(*DOCUMENT_RELATIONS), pk=pk)


DOCUMENT_TERMS = ("payment_method", "delivery_term", "transport")


def get_offer_document_for(user: Any, pk: int) -> Offer:
    """The offer as its PDF prints it, read in small queries instead of ``get_offer_for``'s
    13-table join, which PostgreSQL takes 7-17 ms to plan (the small ones: under 1 ms in all).
    The offer with its terms; for a draft, whose parties are read live, its customers, sites,
    contacts and unit (one query each, run even when the optional ones are empty, so a draft
    always takes five queries and an issued offer, printing its frozen parties, one)."""
    access.check_may_sell(user)
    offer = get_object_or_404(Offer.objects.select_related(*DOCUMENT_TERMS), pk=pk)
    if not offer.issued_parties:
        _read_parties(offer)
    return offer


def _read_parties(document: Offer | Order) -> None:
    """Fill the relations ``service_portal.parties.live_parties`` reads, so it runs no query."""
    customers = Customer.objects.in_bulk([document.customer_id, document.billing_customer_id])
    sites = Site.objects.in_bulk([document.site_id, document.billing_site_id])
    contacts = Contact.objects.in_bulk([document.contact_id, document.billing_contact_id])
    # No unit: the query finds none (the page runs the same queries either way).
    units = list(Unit.objects.select_related("product").filter(pk=document.unit_id))  # type: ignore[misc]
    document.customer = customers[document.customer_id]
    document.billing_customer = customers[document.billing_customer_id]
    document.site = sites[document.site_id]
    document.billing_site = sites.get(document.billing_site_id)
    document.contact = contacts[document.contact_id]
    document.billing_contact = contacts.get(document.billing_contact_id)
    document.unit = units[0] if units else None


def get_order_for(user: Any, pk: int) -> Order:
    access.check_may_sell(user)
    return get_object_or_404(Order.objects.select_related(*DOCUMENT_RELATIONS, "offer"), pk=pk)


def document_totals(document: Offer | Order) -> Totals:
    return lines_totals(document.lines.select_related("vat_rate", "spare_part"))


def parts_for_cart(*, query: str, offer: Offer, limit: int = 20) -> QuerySet[SparePart]:
    """Active parts matching ``query``; the ones that fit the offer's unit come first."""
    parts = SparePart.objects.filter(is_active=True)
    query = query.strip()
    if query:
        parts = parts.filter(part_matches(query))
    product_id = offer.unit.product_id if offer.unit is not None else None
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


RECENT_DECISIONS = 10


def recent_decisions(since: Any) -> list[Offer]:
    """The offers customers accepted or declined since ``since``, newest first, with their
    order (the dashboard's notices; one query)."""
    return list(
        Offer.objects.filter(decided_at__gte=since, state__in=["accepted", "declined"])
        .select_related("customer", "order")
        .order_by("-decided_at", "-pk")[:RECENT_DECISIONS]
    )


# --- Availability per warehouse (the stock app's levels, through the reverse relation) --------
@dataclass
class Availability:
    """What the warehouses hold of one part: each central or branch warehouse, and the vans
    together (a van's stock is its technician's, not for sale)."""

    warehouses: list[tuple[str, Decimal]] = field(default_factory=list)
    in_vans: Decimal = Decimal("0")


def availability(part_ids: Iterable[int]) -> dict[int, Availability]:
    """Availability of each of ``part_ids``: two queries, whatever the number of parts.

    ``orders`` sits below ``stock`` in the layers: the levels are read through
    ``SparePart.stock_levels`` (the stock app's reverse relation), not by importing it."""
    ids = list(part_ids)
    result = {pk: Availability() for pk in ids}
    if not ids:
        return result
    levels = SparePart._meta.get_field("stock_levels").related_model._default_manager
    depots = (
        levels.filter(spare_part_id__in=ids, warehouse__is_active=True)
        .exclude(warehouse__kind="van")
        .order_by("warehouse__kind", "warehouse__code")
        .values_list("spare_part_id", "warehouse__name", "quantity")
    )
    for part_id, name, quantity in depots:
        result[part_id].warehouses.append((name, quantity))
    vans = (
        levels.filter(spare_part_id__in=ids, warehouse__kind="van", warehouse__is_active=True)
        .values("spare_part_id")
        .annotate(total=Sum("quantity"))
        .values_list("spare_part_id", "total")
    )
    for part_id, total in vans:
        result[part_id].in_vans = total or Decimal("0")
    return result


def with_availability(parts: Iterable[Any]) -> list[Any]:
    """``parts`` (spare parts) as a list, each with its ``availability``."""
    parts = list(parts)
    found = availability(part.pk for part in parts)
    for part in parts:
        part.availability = found[part.pk]
    return parts


def order_shipments(order: Order) -> list:
    """The order's shipments with their lines, in two queries whatever their number."""
    from django.db.models import Prefetch

    from orders.models import Shipment, ShipmentLine

    return list(
        Shipment.objects.filter(order=order)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line"))
        )
    )
