"""Warehouses and stock for the tests: made through the service, as the portal does."""

from __future__ import annotations

from decimal import Decimal

from stock import services
from stock.models import MoveKind, StockLevel, Warehouse, WarehouseKind


def make_central(code: str = "CENTRAL") -> Warehouse:
    return Warehouse.objects.create(code=code, name=f"Warehouse {code}", kind=WarehouseKind.CENTRAL)


def make_van(technician, code: str | None = None) -> Warehouse:
    code = code or f"VAN-{technician.username}"
    return Warehouse.objects.create(
        code=code,
        name=f"Van of {technician.username}",
        kind=WarehouseKind.VAN,
        technician=technician,
    )


def receive(warehouse: Warehouse, part, quantity: str) -> None:
    services.record_move(
        kind=MoveKind.RECEIPT, spare_part=part, quantity=Decimal(quantity), to_warehouse=warehouse
    )


def level(warehouse: Warehouse, part) -> Decimal:
    row = StockLevel.objects.filter(warehouse=warehouse, spare_part=part).first()
    return row.quantity if row else Decimal("0")
