"""seed_demo's stock: a central warehouse with the catalogue, a van per technician, levels that
equal their moves, something to restock; running it twice adds nothing."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from stock import demo
from stock.models import StockLevel, StockMove, Warehouse, WarehouseKind
from stock.services import restock_proposal
from tests.factories import make_user
from tests.orders.factories import make_part

pytestmark = pytest.mark.django_db


class _Quiet:
    def step(self, *args):
        pass


def test_demo_stock_is_consistent_and_idempotent():
    technicians = [make_user(f"demo-tech-{i}", "technician") for i in range(3)]
    for n in range(40):
        make_part(f"GEN-{n:06d}")
    demo.seed(scale=0, progress=_Quiet())
    central = Warehouse.objects.get(kind=WarehouseKind.CENTRAL)
    assert StockLevel.objects.filter(warehouse=central).count() == 40
    vans = Warehouse.objects.filter(kind=WarehouseKind.VAN)
    assert {v.technician for v in vans} == set(technicians)
    for warehouse in Warehouse.objects.all():
        for row in StockLevel.objects.filter(warehouse=warehouse):
            moved = StockMove.objects.filter(
                to_warehouse=warehouse, spare_part=row.spare_part_id
            ).aggregate(total=Sum("quantity"))["total"]
            assert row.quantity == (moved or 0)
    assert any(restock_proposal(van=van, source=central) for van in vans)
    counts = (Warehouse.objects.count(), StockLevel.objects.count(), StockMove.objects.count())
    demo.seed(scale=0, progress=_Quiet())
    assert (
        Warehouse.objects.count(),
        StockLevel.objects.count(),
        StockMove.objects.count(),
    ) == counts
