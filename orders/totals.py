"""Money of an offer or order, computed in one place, in Decimal, rounded half-up to the cent.

Every page, the PDF and the exports read the totals from here, so they always agree. The VAT is
computed on the taxable amount of each rate (not line by line), as an Italian invoice does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def to_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(*, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """Quantity x price less the discount, rounded to the cent."""
    gross = quantity * unit_price
    return to_cent(gross - gross * discount_percent / HUNDRED)


@dataclass(frozen=True)
class VatBucket:
    vat_percent: Decimal
    label: str
    taxable: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    lines: list[tuple[Any, Decimal]] = field(default_factory=list)  # (line, net)
    buckets: list[VatBucket] = field(default_factory=list)
    taxable: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")


def compute_totals(lines: Iterable[Any]) -> Totals:
    """Totals of lines that have quantity, unit_price, discount_percent, vat_percent, vat_rate."""
    with_net = []
    by_rate: dict[Decimal, tuple[str, Decimal]] = {}
    for line in lines:
        net = line_net(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
        )
        with_net.append((line, net))
        label, taxable = by_rate.get(line.vat_percent, (str(line.vat_rate), Decimal("0.00")))
        by_rate[line.vat_percent] = (label, taxable + net)
    buckets = [
        VatBucket(
            vat_percent=rate,
            label=label,
            taxable=taxable,
            vat=to_cent(taxable * rate / HUNDRED),
        )
        for rate, (label, taxable) in sorted(by_rate.items())
    ]
    taxable = sum((b.taxable for b in buckets), Decimal("0.00"))
    vat = sum((b.vat for b in buckets), Decimal("0.00"))
    return Totals(lines=with_net, buckets=buckets, taxable=taxable, vat=vat, total=taxable + vat)
