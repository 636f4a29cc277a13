"""Builders for contract tests."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from contracts.models import Contract, Coverage, FeePeriod, Priority, SlaTarget
from customers.models import Unit

_seq = itertools.count(1)


def make_contract(
    *,
    unit: Unit | None = None,
    customer=None,
    start: datetime.date = datetime.date(2026, 1, 1),
    targets: dict[str, tuple[str, str]] | None = None,
    **fields: Any,
) -> Contract:
    """A contract covering ``unit``; ``targets`` maps a priority to (response, resolution)
    business hours (default: urgent 4/16, normal 8/40)."""
    customer = customer or unit.site.customer
    fields.setdefault("code", f"C-{next(_seq):04d}")
    fields.setdefault("labour", Coverage.INCLUDED)
    fields.setdefault("travel", Coverage.INCLUDED)
    fields.setdefault("call_out", Coverage.BILLED)
    fields.setdefault("parts", Coverage.DISCOUNTED)
    fields.setdefault("parts_discount", Decimal("20"))
    fields.setdefault("fee_period", FeePeriod.QUARTERLY)
    fields.setdefault("fee_amount", Decimal("600.00"))
    contract = Contract.objects.create(customer=customer, start_date=start, **fields)
    if unit is not None:
        contract.units.add(unit)
    for priority, (response, resolution) in (
        targets or {Priority.URGENT: ("4", "16"), Priority.NORMAL: ("8", "40")}
    ).items():
        SlaTarget.objects.create(
            contract=contract,
            priority=priority,
            response_hours=Decimal(response),
            resolution_hours=Decimal(resolution),
        )
    return contract
