"""Reads for the quote and price-list pages, with their joins: fixed query counts per page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from quotes import access
from quotes.models import PriceList, Quote, QuoteEvent, QuoteLine, Rate


def price_lists() -> QuerySet[PriceList]:
    return (
        PriceList.objects.select_related("customer")
        .annotate(rate_count=Count("rates"))
        .order_by("-valid_from", "name", "pk")
    )


def price_list_with_rates() -> QuerySet[PriceList]:
    return PriceList.objects.select_related("customer", "contract").prefetch_related(
        Prefetch("rates", queryset=Rate.objects.order_by("position", "pk"))
    )


def quotes() -> QuerySet[Quote]:
    return Quote.objects.select_related("customer").prefetch_related(
        Prefetch(
            "lines", queryset=QuoteLine.objects.only("quote", "quantity", "unit_price", "discount")
        )
    )


def get_quote_for(user: Any, pk: int) -> Quote:
    """The quote with its lines, rates and history, for office staff; 404 for anyone else.

    Technicians never reach this (the views answer 403 first); the 404 keeps a quote's existence
    private if a future page lets other roles call it.
    """
    if not access.may_quote(user):
        raise Http404
    queryset = Quote.objects.select_related(
        "customer", "price_list", "created_by", "replaces", "replaced_by", "contact"
    ).prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "pk")),
        Prefetch("events", queryset=QuoteEvent.objects.select_related("by").order_by("-at")),
        Prefetch("price_list__rates", queryset=Rate.objects.order_by("position", "pk")),
    )
    try:
        return queryset.get(pk=pk)
    except Quote.DoesNotExist:
        raise Http404 from None


def quoted_quantities(quote: Quote) -> dict[str, Decimal]:
    """Quoted quantity per rate kind (labour hours, travel hours, km...), for the comparison
    with the actual hours and expenses of the intervention (section 4 of the management page).
    Uses the prefetched lines when there are any."""
    totals: dict[str, Decimal] = {}
    for line in quote.lines.all():
        totals[line.kind] = totals.get(line.kind, Decimal("0")) + line.quantity
    return totals


RECENT_DECISIONS = 10


def recent_decisions(since: Any) -> list[Quote]:
    """The quotes customers answered since ``since`` (kept when a revision superseded them),
    newest first (the dashboard's notices; one query)."""
    return list(
        Quote.objects.filter(decided_at__gte=since)
        .select_related("customer")
        .order_by("-decided_at", "-pk")[:RECENT_DECISIONS]
    )
