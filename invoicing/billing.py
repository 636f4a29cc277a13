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
the sum of the lines at that rate, so the printed lines add up to the printed totals (all of it
in ``service_portal.money``). Services of an intervention without a quote are taxed at the
``DEFAULT_VAT_RATE`` setting.
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
from service_portal.money import (
    ZERO,
    Taxed,
    Totals,
    default_vat_rate,
    discounted,
    line_net,
    money,
)
from service_portal.money import totals as money_totals

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


@dataclass
class InterventionBill:
    intervention: Intervention
    lines: list[Line]
    is_warranty: bool

    @property
    def taxable(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def totals(lines: Iterable[Line]) -> Totals:
    """Taxable and VAT per rate, then the grand total (``service_portal.money.totals``)."""
    return money_totals(Taxed(line.amount, line.vat_rate) for line in lines)


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
    service_vat = Decimal(quote.vat_rate) if quote is not None else default_vat_rate()
    is_warranty = bool(intervention.type and intervention.type.is_warranty)
    corrections = {c.kind: c for c in intervention.billing_corrections.all()}  # latest wins

    lines = [
        *_hour_lines(intervention, quote_lines, corrections, service_vat),
        *_quoted_lines(quote_lines, service_vat),
        *_km_lines(intervention, quote_lines, corrections, service_vat),
        *_part_lines(intervention),
        *_expense_lines(intervention, service_vat),
    ]
    _apply_corrections(lines, corrections, service_vat)
    _settle(lines, is_warranty)
    return InterventionBill(intervention=intervention, lines=lines, is_warranty=is_warranty)


def _hour_lines(
    intervention: Intervention, quote_lines: list, corrections: dict, service_vat: Decimal
) -> list[Line]:
    """Labour and travel: the actual hours at the quote's rate, or at zero flagged "no rate"."""
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
            price = discounted(rated[0].unit_price, rated[0].discount)
            description = rated[0].description
            quoted = sum((q.quantity for q in rated), ZERO)
        else:
            price, description, quoted = ZERO, str(LineKind(kind).label), None
            notes.append(NOTE_NO_RATE)
        lines.append(
            Line(kind, description, quantity, price, ZERO, service_vat, notes, quoted=quoted)
        )
    return lines


def _quoted_lines(quote_lines: list, service_vat: Decimal) -> list[Line]:
    """Call-out and fixed-price lines, as quoted."""
    lines: list[Line] = []
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
    return lines


def _km_lines(
    intervention: Intervention, quote_lines: list, corrections: dict, service_vat: Decimal
) -> list[Line]:
    """The kilometres, at cost (their recorded amounts), next to the quoted amount."""
    km = [e for e in intervention.expenses.all() if e.kind == ExpenseKind.KM]
    if not km and LineKind.KM not in corrections:
        return []
    distance = sum((e.km or ZERO for e in km), ZERO)
    amount = sum((e.amount for e in km), ZERO)
    quoted_km = [q for q in quote_lines if q.kind == RateKind.KM]
    quoted = sum((line_net(q.quantity, q.unit_price, q.discount) for q in quoted_km), ZERO)
    return [
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
    ]


def _part_lines(intervention: Intervention) -> list[Line]:
    """Parts used at their frozen price, discount and VAT rate.

    A part from stock is billed (with the discount an offer of the call gave on it); a part
    taken from an order of the call was paid through that order: its line shows it at zero
    with the order's code, so no part of an accepted order is billed twice. Under warranty:
    zero as well.
    """
    lines: list[Line] = []
    for part in intervention.parts_used.all():
        notes: list = []
        if part.order_code:
            amount = ZERO
            notes.append(_("covered by order %(code)s") % {"code": part.order_code})
        elif part.under_warranty:
            amount = ZERO
            notes.append(NOTE_WARRANTY)
        else:
            amount = line_net(part.quantity, part.unit_price, part.discount_percent)
        if part.discount_percent:
            notes.append(_("discount %(percent)s%%") % {"percent": _plain(part.discount_percent)})
        price = discounted(part.unit_price, part.discount_percent)
        description = f"{part.code} {part.description}"
        if part.order_code:
            # The customer's document says which order covered it, not only the office's notes.
            description = f"{description} ({notes[0]})"
            price = ZERO
        lines.append(
            Line(
                LineKind.PARTS,
                description[:250],
                part.quantity,
                price,
                amount,
                Decimal(part.vat_rate),
                notes,
            )
        )
    return lines


def _expense_lines(intervention: Intervention, service_vat: Decimal) -> list[Line]:
    """Expenses other than kilometres, at cost, one line each."""
    lines: list[Line] = []
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
    return lines


def _settle(lines: list[Line], is_warranty: bool) -> None:
    """Hours x price for the hour lines; a warranty intervention bills every line at zero."""
    for line in lines:
        if line.kind in QUANTITY_KINDS:
            line.amount = money(line.quantity * line.unit_price)
        if is_warranty:
            line.amount = ZERO
            if NOTE_WARRANTY not in line.notes:
                line.notes.append(NOTE_WARRANTY)


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


def _plain(value: Decimal) -> str:
    """A decimal as a string that does not depend on its exponent (2, 2.0 and 2.00 agree)."""
    return format(Decimal(value).normalize(), "f")


def figures(lines: Iterable[Line]) -> list[list[str]]:
    """The billable figures of ``lines``, comparable across languages (no descriptions, notes):
    what final verification freezes (``invoicing.models.VerifiedFigures``)."""
    return [
        [
            line.kind,
            _plain(line.quantity),
            _plain(line.unit_price),
            _plain(line.amount),
            _plain(line.vat_rate),
        ]
        for line in lines
    ]
