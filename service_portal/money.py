"""Money, in one place: rounding, line amounts, VAT per rate and the totals of every document.

Quotes, offers and orders, the billable lines of an intervention, invoices and credit notes all
compute their amounts here, so the pages, the PDFs, the exports and the API agree to the cent.

- Every amount is a ``Decimal`` rounded **half up to the cent** (``0.005`` -> ``0.01``, never
  banker's rounding, never a float).
- A line's amount is rounded before it is summed, so the printed lines add up to the printed
  taxable amount.
- VAT is computed **once per rate** on the taxable amount at that rate (not line by line), as an
  Italian invoice does, and rounded the same way.
- VAT rates come from the data (a quote's rate, a spare part's ``VatRate``) or, where the data has
  none, from the ``DEFAULT_VAT_RATE`` setting (:func:`default_vat_rate`): never a literal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.conf import settings

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half up (``2.675`` -> ``2.68``, ``5`` -> ``5.00``)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def discounted(unit_price: Decimal, discount: Decimal = ZERO) -> Decimal:
    """A unit price less ``discount`` percent, rounded to the cent."""
    return money(Decimal(unit_price) * (1 - Decimal(discount) / HUNDRED))


def line_net(quantity: Decimal, unit_price: Decimal, discount: Decimal = ZERO) -> Decimal:
    """quantity x price x (1 - discount/100), rounded to the cent."""
    return money(Decimal(quantity) * Decimal(unit_price) * (1 - Decimal(discount) / HUNDRED))


def increase(price: Decimal, percent: Decimal) -> Decimal:
    """A price raised by ``percent`` (a new year's price list), rounded to the cent."""
    return money(Decimal(price) * (1 + Decimal(percent) / HUNDRED))


def vat_of(taxable: Decimal, rate: Decimal) -> Decimal:
    """The VAT on a taxable amount at ``rate`` percent, rounded to the cent."""
    return money(Decimal(taxable) * Decimal(rate) / HUNDRED)


def plain(value: Decimal | int | str) -> str:
    """A decimal as a string that does not depend on its exponent (2, 2.0 and 2.00 agree):
    a VAT rate's code, a discount in a note."""
    return format(Decimal(value).normalize(), "f")


def is_percent(value: Decimal) -> bool:
    """A rate or discount between 0 and 100 (both included)."""
    return Decimal(0) <= Decimal(value) <= HUNDRED


def default_vat_rate() -> Decimal:
    """The VAT rate (%) used where a document has none of its own: the ``DEFAULT_VAT_RATE``
    setting (new quotes propose it, services of an intervention without a quote are billed at
    it)."""
    return Decimal(settings.DEFAULT_VAT_RATE).quantize(CENT)


def amount_input(value: Decimal | int | str | None) -> Decimal | None:
    """An amount for a form field, an export cell or the money filter: rounded to the cent.

    ``None``, an empty string or text that is not a number give ``None``.
    """
    if value is None or value == "":
        return None
    try:
        return money(Decimal(str(value)))
    except InvalidOperation:
        return None


class Taxed(NamedTuple):
    """An amount and the VAT rate (%) it is taxed at; ``label`` names the rate on documents."""

    amount: Decimal
    rate: Decimal
    label: str = ""


@dataclass(frozen=True)
class VatLine:
    """The taxable amount at one rate and its VAT."""

    rate: Decimal
    taxable: Decimal
    vat: Decimal
    label: str = ""


@dataclass(frozen=True)
class Totals:
    """Taxable, VAT and total of a document, with the summary per VAT rate (lowest rate first).

    ``lines`` holds the document's lines with their amounts, in order, when the caller asked
    for them (offers and orders print both from one computation).
    """

    taxable: Decimal
    vat: Decimal
    total: Decimal
    by_rate: tuple[VatLine, ...] = ()
    lines: tuple[tuple[Any, Decimal], ...] = ()

    @property
    def vat_rate(self) -> Decimal | None:
        """The one rate of a single-rate document (a quote), else ``None``."""
        return self.by_rate[0].rate if len(self.by_rate) == 1 else None


def totals(items: Iterable[Taxed], *, lines: Iterable[tuple[Any, Decimal]] = ()) -> Totals:
    """Totals of taxed amounts: each rounded to the cent, summed per rate, VAT per rate."""
    by_rate: dict[Decimal, tuple[str, Decimal]] = {}
    for item in items:
        rate = Decimal(item.rate)
        label, taxable = by_rate.get(rate, (item.label, ZERO))
        by_rate[rate] = (label, taxable + money(item.amount))
    vat_lines = tuple(
        VatLine(rate=rate, taxable=taxable, vat=vat_of(taxable, rate), label=label)
        for rate, (label, taxable) in sorted(by_rate.items())
    )
    taxable = sum((v.taxable for v in vat_lines), ZERO)
    vat = sum((v.vat for v in vat_lines), ZERO)
    return Totals(
        taxable=taxable, vat=vat, total=taxable + vat, by_rate=vat_lines, lines=tuple(lines)
    )


def single_rate_totals(amounts: Iterable[Decimal], rate: Decimal) -> Totals:
    """Totals of a document with one VAT rate (a quote): its summary shows the rate even when
    the document has no lines yet."""
    taxable = sum((money(amount) for amount in amounts), ZERO)
    rate = Decimal(rate)
    vat = vat_of(taxable, rate)
    return Totals(
        taxable=taxable,
        vat=vat,
        total=taxable + vat,
        by_rate=(VatLine(rate=rate, taxable=taxable, vat=vat),),
    )
