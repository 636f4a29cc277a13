"""Who may see and change stock.

Administrators and operators manage every warehouse and record moves; a technician sees their
own van (its stock and its moves) and nothing else: another warehouse is a 404, as if it did
not exist. Parts used on an intervention move stock through ``calls``, which checks who records
them; ``stock.services`` then only checks the stock itself.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from service_portal.permissions import check_role
from service_portal.roles import EVERYONE, STAFF, Role, has_role
from stock.models import StockMove, Warehouse


def may_manage(user: Any) -> bool:
    """Record receipts, transfers and adjustments; confirm van restocks; see every warehouse."""
    return has_role(user, STAFF)


def check_may_manage(user: Any) -> None:
    check_role(user, STAFF)


def warehouses_for(user: Any) -> QuerySet[Warehouse]:
    """The warehouses ``user`` may see: all for the office, their own van for a technician."""
    check_role(user, EVERYONE)
    if user.role == Role.TECHNICIAN:
        return Warehouse.objects.filter(technician=user)
    return Warehouse.objects.all()


def get_warehouse_for(user: Any, pk: int) -> Warehouse:
    """The warehouse ``pk`` if ``user`` may see it, else 404 (another's van is not revealed)."""
    warehouse = warehouses_for(user).filter(pk=pk).first()
    if warehouse is None:
        raise Http404
    return warehouse


def moves_for(user: Any) -> QuerySet[StockMove]:
    """The moves ``user`` may see: all for the office, those in or out of their van."""
    check_role(user, EVERYONE)
    if user.role == Role.TECHNICIAN:
        return StockMove.objects.filter(
            Q(from_warehouse__technician=user) | Q(to_warehouse__technician=user)
        )
    return StockMove.objects.all()
