"""Quote arithmetic, in one place: every page, PDF and service computes totals through here.

Each line is rounded to the cent (half up, as on an invoice) before it is summed, so the total of
the document equals the sum of the amounts printed on its lines; VAT is computed once on the
taxable amount and rounded the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up (0.005 -> 0.01)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(quantity: Decimal, unit_price: Decimal, discount: Decimal = Decimal(0)) -> Decimal:
    """quantity x price x (1 - discount/100), rounded to the cent."""
    return money(Decimal(quantity) * Decimal(unit_price) * (1 - Decimal(discount) / HUNDRED))


def increase(price: Decimal, percent: Decimal) -> Decimal:
    """A price raised by ``percent`` (a new year's price list), rounded to the cent."""
    return money(Decimal(price) * (1 + Decimal(percent) / HUNDRED))


@dataclass(frozen=True)
class QuoteTotals:
    taxable: Decimal
    vat_rate: Decimal
    vat: Decimal
    total: Decimal


def quote_totals(
    lines: Iterable[tuple[Decimal, Decimal, Decimal]], vat_rate: Decimal
) -> QuoteTotals:
    """Totals of (quantity, unit price, discount %) lines with VAT at ``vat_rate`` percent."""
    taxable = sum((line_net(*line) for line in lines), Decimal("0.00"))
    vat = money(taxable * Decimal(vat_rate) / HUNDRED)
    return QuoteTotals(taxable=taxable, vat_rate=Decimal(vat_rate), vat=vat, total=taxable + vat)
