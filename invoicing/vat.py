"""The VAT treatment of each invoice line, chosen by rules from the customer and the line's kind.

The rules (docs/invoicing.md, "VAT rules", shows the same table):

==========================  ===============================  ================================
customer                    goods (spare parts)              services (labour, travel, km,
                                                             call-out, fixed price, expenses)
==========================  ===============================  ================================
Italian business, private   the line's rate (the part's      the line's rate (the quote's, or
person                      VAT code)                        ``DEFAULT_VAT_RATE``)
public administration       as an Italian business, and the invoice is under split payment
                            (art. 17-ter DPR 633/72: the PA pays the VAT to the State)
EU business                 0 %, N3.2, art. 41 DL 331/1993   0 %, N2.1, art. 7-ter DPR 633/72,
                            (intra-EU supply)                reverse charge
business outside the EU     0 %, N3.1, art. 8 DPR 633/72     0 %, N2.1, art. 7-ter DPR 633/72
                            (export)
==========================  ===============================  ================================

Services are the "generic" services of art. 7-ter: work on a machine for a business customer is
taxed where the customer is established, so an Italian invoice charges no VAT to a foreign
business. A private person is taxed in Italy (the seller's place, art. 7-ter's B2C rule); the
portal does not handle distance sales of goods to private persons abroad.

The codes are master data (``orders.VatRate``, edited in the admin, names and references
translated); the standard ones are listed in ``orders.vat_codes``. A taxed line takes the
active code at its rate; a code missing from the table falls back to the standard list, so a
deleted row never blocks billing.

**Stamp duty** ("imposta di bollo", art. 13 of the Tariff, part I, annexed to DPR 642/72): an
invoice whose amounts without VAT exceed €77.47 bears €2, paid virtually ("bollo virtuale",
FatturaPA DatiBollo). Amounts of operations subject to VAT are exempt (art. 6 of Table B), and
so are the two cases the law exempts explicitly: exports of goods (N3.1, art. 15 of Table B)
and intra-EU supplies of goods (N3.2, art. 66 c. 5 DL 331/1993); reverse charge (N6.x) and VAT
paid in another EU state (N7) are operations subject to VAT. So the lines that count are those
with Natura N1, N2.x, N3.3-N3.6 and N4. The duty is charged to the customer as its own line
(excluded from VAT, N1, art. 15 DPR 633/72) and recorded on the invoice (``stamp_duty``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import get_language, gettext

from customers.fiscal import VatRegime
from invoicing.models import LineKind
from orders import vat_codes
from orders.models import VatRate
from service_portal.i18n import language_codes
from service_portal.money import ZERO, money, plain, vat_of

STAMP_DUTY = Decimal("2.00")
STAMP_DUTY_THRESHOLD = Decimal("77.47")  # the duty is due above this amount, not at it
STAMP_DUTY_NATURE = frozenset({"N1", "N2.1", "N2.2", "N3.3", "N3.4", "N3.5", "N3.6", "N4"})
SPLIT_PAYMENT_REFERENCE = "art. 17-ter DPR 633/72"


class VatLine(Protocol):
    """What the rules read and write on a line (``billing.Line`` or ``InvoiceLine``)."""

    kind: str
    amount: Decimal
    vat_rate: Decimal
    vat_natura: str
    vat_reference: str


@dataclass(frozen=True)
class Code:
    """A VAT code as the rules apply it (from ``orders.VatRate`` or the standard list)."""

    code: str
    rate: Decimal
    natura: str
    reference: str


class Codes:
    """The active VAT codes, read once for a page or an issue (one query)."""

    def __init__(self, rows: Iterable[VatRate] | None = None) -> None:
        if rows is None:
            rows = VatRate.objects.filter(is_active=True).order_by("position", "pk")
        self.rows = list(rows)
        self.by_code = {row.code: row for row in self.rows}

    def get(self, code: str) -> Code:
        row = self.by_code.get(code)
        if row is not None:
            return Code(row.code, Decimal(row.rate), row.natura, row.legal_reference)
        item = vat_codes.standard(code)
        if item is None:  # not reachable with the rules' own codes
            raise KeyError(code)
        return Code(item.code, Decimal(item.rate), item.natura, _standard_reference(item))

    def taxed(self, rate: Decimal) -> Code:
        """The code of a taxed rate (ordinary or reduced): the first active one at that rate."""
        for row in self.rows:
            if not row.natura and Decimal(row.rate) == Decimal(rate):
                return Code(row.code, Decimal(row.rate), "", row.legal_reference)
        return Code(plain(rate), Decimal(rate), "", "")


def _standard_reference(item: vat_codes.StandardCode) -> str:
    references = dict(zip(language_codes(), item.references, strict=True))
    return references.get(get_language() or "", "") or item.references[0]


def treatment(line: Any, customer: Any, codes: Codes) -> Code:
    """The VAT code of one line billed to ``customer`` (the table in this module's docstring)."""
    goods = line.kind == LineKind.PARTS
    regime = customer.vat_regime
    if regime == VatRegime.EU_BUSINESS:
        return codes.get(vat_codes.EU_GOODS if goods else vat_codes.EU_SERVICES)
    if regime == VatRegime.NON_EU:
        return codes.get(vat_codes.EXPORT_GOODS if goods else vat_codes.NON_EU_SERVICES)
    return codes.taxed(line.vat_rate)


def apply(lines: Iterable[Any], customer: Any, codes: Codes | None = None) -> None:
    """Set the VAT code, rate, Natura and legal reference of each line for ``customer``.

    ``codes`` is read once by the caller that bills several interventions (a list page);
    without it the active codes are read here (one query).
    """
    codes = codes if codes is not None else Codes()
    for line in lines:
        code = treatment(line, customer, codes)
        line.vat_code = code.code
        line.vat_rate = code.rate
        line.vat_natura = code.natura
        line.vat_reference = code.reference


def split_payment(customer: Any) -> bool:
    """A public administration pays the VAT to the State (split payment, art. 17-ter)."""
    return bool(customer.is_public_administration)


def stamp_duty(lines: Iterable[VatLine]) -> Decimal:
    """€2 when the amounts without VAT that the duty concerns exceed €77.47, else 0."""
    exempt = sum((line.amount for line in lines if line.vat_natura in STAMP_DUTY_NATURE), ZERO)
    return STAMP_DUTY if exempt > STAMP_DUTY_THRESHOLD else ZERO


def stamp_duty_code(codes: Codes) -> Code:
    return codes.get(vat_codes.STAMP_DUTY)


@dataclass(frozen=True)
class Summary:
    """The taxable amount and VAT of one rate, or of one Natura at 0 % (with its reference)."""

    rate: Decimal
    natura: str
    reference: str
    taxable: Decimal
    vat: Decimal


def summary(lines: Iterable[VatLine]) -> list[Summary]:
    """The VAT summary of a document: one row per taxed rate, one per Natura (and reference) at
    0 %; VAT is computed once per row on its taxable amount (as FatturaPA's DatiRiepilogo)."""
    groups: dict[tuple[Decimal, str, str], Decimal] = {}
    for line in lines:
        natura = line.vat_natura or ""
        key = (Decimal(line.vat_rate), natura, line.vat_reference if natura else "")
        groups[key] = groups.get(key, ZERO) + money(line.amount)
    return [
        Summary(rate, natura, reference, taxable, vat_of(taxable, rate))
        for (rate, natura, reference), taxable in sorted(
            groups.items(), key=lambda item: (-item[0][0], item[0][1], item[0][2])
        )
    ]


@dataclass
class StampDutyLine:
    """The stamp duty charged to the customer: its own line, excluded from VAT (N1)."""

    amount: Decimal
    vat_code: str
    vat_rate: Decimal
    vat_natura: str
    vat_reference: str
    kind: str = LineKind.EXPENSES
    notes: tuple = ()

    @property
    def description(self) -> str:
        return gettext("Stamp duty (paid virtually)")

    @property
    def quantity(self) -> Decimal:
        return Decimal(1)

    @property
    def unit_price(self) -> Decimal:
        return self.amount


def with_stamp_duty(lines: Iterable[Any], codes: Codes | None = None) -> list[Any]:
    """``lines`` and, when the stamp duty is due on them, the line that charges it."""
    lines = list(lines)
    duty = stamp_duty(lines)
    if not duty:
        return lines
    code = stamp_duty_code(codes if codes is not None else Codes())
    return [*lines, StampDutyLine(duty, code.code, code.rate, code.natura, code.reference)]
