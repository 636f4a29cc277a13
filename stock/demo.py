"""Demo warehouses: a central warehouse holding the catalogue, a branch, and a van for every
technician with a few dozen parts (some below their minimum, so a restock proposal shows).

Every level is made with the receipt that explains it (level = sum of the moves, as the portal
keeps it), in bulk: at ``--scale 100`` the central warehouse holds 200,000 parts and 50 vans
hold 200 parts each, in a few seconds. Idempotent: a level that exists is left alone.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from orders.models import SparePart
from service_portal.roles import Role
from stock.models import MoveKind, StockLevel, StockMove, Warehouse, WarehouseKind

BATCH = 5000
VAN_PARTS = 200  # parts in each van at --scale > 0 (the demo catalogue's parts at scale 0)


def seed(*, scale: int, progress) -> None:
    rng = random.Random(23)  # the same demo stock every time
    with transaction.atomic():
        central, _ = Warehouse.objects.get_or_create(
            code="CENTRALE",
            defaults={"name": "Magazzino centrale", "kind": WarehouseKind.CENTRAL},
        )
        Warehouse.objects.get_or_create(
            code="FILIALE-MI",
            defaults={"name": "Filiale di Milano", "kind": WarehouseKind.BRANCH},
        )
        technicians = User.objects.filter(role=Role.TECHNICIAN, van__isnull=True).order_by("pk")
        Warehouse.objects.bulk_create(
            [
                Warehouse(
                    code=f"VAN-{t.username}"[:30],
                    name=f"Furgone {t.get_full_name() or t.username}"[:100],
                    kind=WarehouseKind.VAN,
                    technician=t,
                )
                for t in technicians
            ]
        )
    part_ids = list(
        SparePart.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    named = set(SparePart.objects.exclude(code__startswith="GEN-").values_list("pk", flat=True))
    _stock(central, part_ids, named, rng, progress=progress)
    van_parts = part_ids[: VAN_PARTS if scale > 0 else 30]
    vans = list(Warehouse.objects.filter(kind=WarehouseKind.VAN).order_by("pk"))
    for number, van in enumerate(vans, start=1):
        _stock(van, van_parts, named, rng, progress=None)
        progress.step("van stock", number, len(vans))


def _stock(warehouse, part_ids, named, rng, *, progress) -> None:
    """A level and its receipt for every part of ``part_ids`` the warehouse has no level of."""
    have = set(
        StockLevel.objects.filter(warehouse=warehouse).values_list("spare_part_id", flat=True)
    )
    todo = [pk for pk in part_ids if pk not in have]
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        levels, moves = [], []
        for pk in chunk:
            if pk in named:
                # The demo catalogue's parts are used on the demo's interventions (planner's
                # demo): always in stock, a few near their minimum.
                quantity, minimum = Decimal(rng.randint(3, 8)), Decimal(4)
            else:
                # One generated part in five is out of stock, below its minimum.
                quantity = Decimal(0) if rng.random() < 0.2 else Decimal(rng.randint(1, 6))
                minimum = Decimal(1)
            levels.append(
                StockLevel(
                    warehouse=warehouse,
                    spare_part_id=pk,
                    quantity=quantity,
                    minimum=minimum,
                    maximum=minimum * 3,
                )
            )
            if quantity:
                moves.append(
                    StockMove(
                        kind=MoveKind.RECEIPT,
                        spare_part_id=pk,
                        quantity=quantity,
                        to_warehouse=warehouse,
                        reference="Demo",
                    )
                )
        with transaction.atomic():
            StockLevel.objects.bulk_create(levels)
            StockMove.objects.bulk_create(moves)
        if progress is not None:
            progress.step(f"stock of {warehouse.code}", start + len(chunk), len(todo))
