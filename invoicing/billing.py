"""What an intervention bills: its lines by kind and the totals, computed in one place.

Hours are the actual ones (``planner.TimeEntry`` labour/travel rows) priced at the quote's
frozen labour_hour/travel_hour rate; without such a quote line they are listed at zero and
flagged "no rate" so the administrator notices. Kilometres and other expenses are billed at
cost, call-out and fixed-price lines as quoted, parts at their frozen price (zero when under
warranty). A warranty intervention type makes every line zero, shown as such.

The administrator's corrections (``invoicing.Correction``) are applied here, never written on
the technician's records: the latest correction of a kind replaces the hours (labour, travel)
or the amount of that kind.

Every amount is a ``Decimal`` rounded half up to the cent per line; VAT is computed per rate on
the sum of the lines at that rate, so the printed lines add up to the printed totals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from calls.models import ExpenseKind, Intervention, State
from invoicing.models import QUANTITY_KINDS, LineKind
from planner.models import WorkKind
from quotes.models import RateKind
from quotes.totals import HUNDRED, line_net, money

ZERO = Decimal("0.00")
# VAT on services of an intervention without a quote (the Italian standard rate).
DEFAULT_VAT_RATE = Decimal("22.00")

NOTE_WARRANTY = _("warranty")
NOTE_NO_RATE = _("no rate")
NOTE_CORRECTED = _("corrected")

# Interventions in these states do not stop a call from being invoiced (nothing to bill).
NOT_BILLED_STATES = frozenset({State.CANCELLED, State.RESOLVED_BY_PHONE})


@dataclass
class Line:
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal
    notes: list = field(default_factory=list)
    quoted: Decimal | None = None  # quoted quantity (hours) or amount, for the comparison

    @property
    def kind_label(self) -> str:
        return str(LineKind(self.kind).label)

    @property
    def note(self) -> str:
        return ", ".join(str(n) for n in self.notes)

    @property
    def differs(self) -> bool:
        compared = self.quantity if self.kind in QUANTITY_KINDS else self.amount
        return self.quoted is not None and compared != self.quoted


@dataclass(frozen=True)
class VatLine:
    rate: Decimal
    taxable: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    taxable: Decimal
    vat: Decimal
    total: Decimal
    by_rate: list[VatLine]


@dataclass
class InterventionBill:
    intervention: Intervention
    lines: list[Line]
    is_warranty: bool

    @property
    def taxable(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def totals(lines: Iterable[Line]) -> Totals:
    """Taxable and VAT per rate, then the grand total: the only place totals are computed."""
    by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        by_rate[Decimal(line.vat_rate)] += money(line.amount)
    vat_lines = [
        VatLine(rate=rate, taxable=taxable, vat=money(taxable * rate / HUNDRED))
        for rate, taxable in sorted(by_rate.items())
    ]
    taxable = sum((v.taxable for v in vat_lines), ZERO)
    vat = sum((v.vat for v in vat_lines), ZERO)
    return Totals(taxable=taxable, vat=vat, total=taxable + vat, by_rate=vat_lines)


def _quote_lines(intervention: Intervention) -> list:
    quote = intervention.quote
    return list(quote.lines.all()) if quote is not None else []


def bill(intervention: Intervention) -> InterventionBill:
    """The billable lines of one intervention.

    Expects ``quote__lines``, ``time_entries``, ``expenses``, ``parts_used`` and
    ``billing_corrections`` prefetched (see ``selectors.with_billing_data``) to keep query
    counts fixed on list pages.
    """
    quote = intervention.quote
    quote_lines = _quote_lines(intervention)
    service_vat = Decimal(quote.vat_rate) if quote is not None else DEFAULT_VAT_RATE
    is_warranty = bool(intervention.type and intervention.type.is_warranty)
    corrections = {c.kind: c for c in intervention.billing_corrections.all()}  # latest wins

    hours: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in intervention.time_entries.all():
        hours[entry.kind] += entry.hours

    lines: list[Line] = []
    for kind, work_kind, rate_kind in (
        (LineKind.LABOUR, WorkKind.LABOUR, RateKind.LABOUR_HOUR),
        (LineKind.TRAVEL, WorkKind.TRAVEL, RateKind.TRAVEL_HOUR),
    ):
        rated = [q for q in quote_lines if q.kind == rate_kind]
        quantity = hours.get(work_kind, ZERO)
        if not rated and not quantity and kind not in corrections:
            continue
        notes: list = []
        if rated:
            price = money(rated[0].unit_price * (1 - rated[0].discount / HUNDRED))
            description = rated[0].description
            quoted = sum((q.quantity for q in rated), ZERO)
        else:
            price, description, quoted = ZERO, str(LineKind(kind).label), None
            notes.append(NOTE_NO_RATE)
        lines.append(
            Line(kind, description, quantity, price, ZERO, service_vat, notes, quoted=quoted)
        )

    for kind, rate_kind in (
        (LineKind.CALL_OUT, RateKind.CALL_OUT),
        (LineKind.FIXED_PRICE, RateKind.FIXED_PRICE),
    ):
        for q in quote_lines:
            if q.kind == rate_kind:
                net = line_net(q.quantity, q.unit_price, q.discount)
                lines.append(
                    Line(kind, q.description, q.quantity, q.unit_price, net, service_vat, [], net)
                )

    km = [e for e in intervention.expenses.all() if e.kind == ExpenseKind.KM]
    if km or LineKind.KM in corrections:
        distance = sum((e.km or ZERO for e in km), ZERO)
        amount = sum((e.amount for e in km), ZERO)
        quoted_km = [q for q in quote_lines if q.kind == RateKind.KM]
        quoted = sum((line_net(q.quantity, q.unit_price, q.discount) for q in quoted_km), ZERO)
        lines.append(
            Line(
                LineKind.KM,
                str(LineKind.KM.label),
                distance,
                ZERO,
                amount,
                service_vat,
                [],
                quoted if quoted_km else None,
            )
        )

    for part in intervention.parts_used.all():
        amount = ZERO if part.under_warranty else line_net(part.quantity, part.unit_price)
        notes = [NOTE_WARRANTY] if part.under_warranty else []
        lines.append(
            Line(
                LineKind.PARTS,
                f"{part.code} {part.description}",
                part.quantity,
                part.unit_price,
                amount,
                Decimal(part.vat_rate),
                notes,
            )
        )

    for expense in intervention.expenses.all():
        if expense.kind != ExpenseKind.KM:
            # The technician's note ("lunch with the team") is for the office: a note of the
            # line on the verification page, not part of the customer's description.
            lines.append(
                Line(
                    LineKind.EXPENSES,
                    expense.get_kind_display(),
                    Decimal(1),
                    expense.amount,
                    expense.amount,
                    service_vat,
                    [expense.note] if expense.note else [],
                )
            )

    _apply_corrections(lines, corrections, service_vat)
    for line in lines:
        if line.kind in QUANTITY_KINDS:
            line.amount = money(line.quantity * line.unit_price)
        if is_warranty:
            line.amount = ZERO
            if NOTE_WARRANTY not in line.notes:
                line.notes.append(NOTE_WARRANTY)
    return InterventionBill(intervention=intervention, lines=lines, is_warranty=is_warranty)


def _apply_corrections(lines: list[Line], corrections: dict, service_vat: Decimal) -> None:
    """Replace hours (labour, travel) or the amount of a kind by the latest correction."""
    for kind, correction in corrections.items():
        of_kind = [line for line in lines if line.kind == kind]
        if not of_kind:
            of_kind = [Line(kind, str(LineKind(kind).label), Decimal(1), ZERO, ZERO, service_vat)]
            lines.append(of_kind[0])
        first, rest = of_kind[0], of_kind[1:]
        if kind in QUANTITY_KINDS and correction.quantity is not None:
            first.quantity = correction.quantity
        elif correction.amount is not None:
            # The amount replaces the whole kind: the first line carries it, the others go to zero.
            first.amount = money(correction.amount)
            for line in rest:
                line.amount = ZERO
        first.notes.append(NOTE_CORRECTED)
