"""Read queries of the stock pages, with their joins: a fixed number of queries per page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from stock import access
from stock.models import StockLevel, StockMove, Warehouse


def warehouse_list(user: Any) -> QuerySet[Warehouse]:
    return access.warehouses_for(user).select_related("technician").order_by("kind", "code")


def levels_of(warehouse: Warehouse) -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.filter(warehouse=warehouse)
        .select_related("spare_part")
        .order_by("spare_part__code", "pk")
    )


def move_list(user: Any) -> QuerySet[StockMove]:
    return (
        access.moves_for(user)
        .select_related("spare_part", "from_warehouse", "to_warehouse", "created_by")
        .order_by("-pk")
    )
