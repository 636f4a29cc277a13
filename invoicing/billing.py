"""What an intervention bills: its lines and the totals, computed in one place.

**Where each price comes from** (docs/invoicing.md, "Pricing order"), for every rate kind on its
own: the intervention's quote (its line of that kind, with the line's discount); else the
customer's own price list valid on the day of the work; else the price list of the
intervention's type; else the company default list (``PriceList.is_default``); else zero,
flagged "no rate" so the administrator notices. Each line says where its price came from
(``Line.source``).

- Labour: the actual hours (``planner.TimeEntry``) of each rate (normal, overtime, holiday) at
  the labour hour, overtime hour and holiday hour rates; travel hours at the travel hour rate.
- Call-out, fixed-price and "other" quoted lines, as quoted. Without a quote, the call-out fee
  of the price list is billed once when hours were recorded.
- Kilometres: the recorded distance at the km rate of the pricing order (the customer's price,
  not the technician's reimbursement rate, ``KM_RATE``).
- Other expenses: by the ``EXPENSE_RULES`` setting of their kind (at cost, with a markup, at a
  fixed rate, or not billed: the technician's lunch is reimbursed, not re-invoiced).
- Parts at their frozen price (zero when under warranty). A warranty intervention type makes
  every line zero, shown as such.

**Service contracts** (``contracts.Contract``, docs/contracts.md): a call on a covered unit
carries its contract. The contract's own price list (``PriceList.contract``) comes after the
quote and before the customer's list in the pricing order; then each line of a covered kind
(labour, travel, call-out, parts) is billed as the contract says: *included* at zero,
*discounted* by its percentage, *billed* as priced; the line says "covered by contract N".
Kilometres and other expenses are billed as usual.

The administrator's corrections (``invoicing.Correction``) change, add or remove single lines
here, in the order they were made; they are never written on the technician's records.

Every amount is a ``Decimal`` rounded half up to the cent per line; VAT is computed per rate on
the sum of the lines at that rate, so the printed lines add up to the printed totals (all of it
in ``service_portal.money``). Services of an intervention without a quote are taxed at the
``DEFAULT_VAT_RATE`` setting. Last, ``invoicing.vat`` sets each line's VAT code for the customer
(a foreign business is billed at 0 % with the Natura and legal reference of its case).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls.models import ExpenseKind, Intervention, State
from contracts.models import Coverage
from invoicing import vat
from invoicing.models import CorrectionAction, LineKind
from planner.models import LabourRate, WorkKind
from quotes.models import PriceList, RateKind
from service_portal.money import (
    ZERO,
    Taxed,
    Totals,
    default_vat_rate,
    discounted,
    increase,
    line_net,
    money,
    plain,
)
from service_portal.money import totals as money_totals

NOTE_WARRANTY = _("warranty")
NOTE_NO_RATE = _("no rate")
NOTE_CORRECTED = _("corrected")

SOURCE_QUOTE = _("quote %(code)s")
SOURCE_CUSTOMER = _("customer price list %(name)s")
SOURCE_TYPE = _("price list of type %(type)s")
SOURCE_DEFAULT = _("company default list")
SOURCE_COST = _("at cost")
SOURCE_MARKUP = _("at cost + %(percent)s %%")
SOURCE_FIXED = _("fixed rate per expense")
SOURCE_ADDED = _("added at verification")
SOURCE_CONTRACT = _("price list of contract %(code)s")
NOTE_CONTRACT = _("covered by contract %(code)s")
NOTE_CONTRACT_DISCOUNT = _("contract %(code)s: discount %(percent)s%%")

# The line kinds a contract covers, and the contract field of each.
CONTRACT_KINDS = {
    LineKind.LABOUR: "labour",
    LineKind.TRAVEL: "travel",
    LineKind.CALL_OUT: "call_out",
    LineKind.PARTS: "parts",
}

# Interventions in these states do not stop a call from being invoiced (nothing to bill).
NOT_BILLED_STATES = frozenset({State.CANCELLED, State.RESOLVED_BY_PHONE})

# The hour lines: (line kind, work kind, labour rate, rate kind of the quote or price list).
HOUR_LINES = (
    (LineKind.LABOUR, WorkKind.LABOUR, LabourRate.NORMAL, RateKind.LABOUR_HOUR),
    (LineKind.LABOUR, WorkKind.LABOUR, LabourRate.OVERTIME, RateKind.OVERTIME_HOUR),
    (LineKind.LABOUR, WorkKind.LABOUR, LabourRate.HOLIDAY, RateKind.HOLIDAY_HOUR),
    (LineKind.TRAVEL, WorkKind.TRAVEL, LabourRate.NORMAL, RateKind.TRAVEL_HOUR),
)
# Quoted lines billed as quoted.
AS_QUOTED = {
    RateKind.CALL_OUT: LineKind.CALL_OUT,
    RateKind.FIXED_PRICE: LineKind.FIXED_PRICE,
    RateKind.OTHER: LineKind.OTHER,
}

# EXPENSE_RULES "rebill" values.
REBILL_NO, REBILL_COST, REBILL_MARKUP, REBILL_FIXED, REBILL_PRICE_LIST = (
    "no",
    "cost",
    "markup",
    "fixed",
    "price_list",
)


@dataclass(frozen=True)
class ExpenseRule:
    rebill: str
    reimburse: bool
    percent: Decimal = ZERO
    price: Decimal = ZERO


def expense_rule(kind: str) -> ExpenseRule:
    """The ``EXPENSE_RULES`` setting of an expense kind (a kind missing from it: at cost,
    reimbursed)."""
    raw = settings.EXPENSE_RULES.get(kind, {"rebill": REBILL_COST, "reimburse": True})
    rebill = raw.get("rebill", REBILL_COST)
    allowed = {REBILL_NO, REBILL_COST, REBILL_MARKUP, REBILL_FIXED}
    if kind == ExpenseKind.KM:
        allowed = {REBILL_NO, REBILL_PRICE_LIST}
    if rebill not in allowed:
        raise ImproperlyConfigured(f"EXPENSE_RULES[{kind!r}]: unknown rebill {rebill!r}.")
    return ExpenseRule(
        rebill=rebill,
        reimburse=bool(raw.get("reimburse", True)),
        percent=Decimal(str(raw.get("percent", "0"))),
        price=money(str(raw.get("price", "0"))),
    )


@dataclass
class Line:
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal
    notes: list = field(default_factory=list)
    quoted: Decimal | None = None  # the quoted quantity, for the comparison
    # Stable name of the line, for corrections (``Correction.line``).
    key: str = ""
    # Where the price came from ("quote Q-…", "customer price list …"), shown at verification.
    source: Any = ""
    # The price before the discount; set on the lines this module prices, whose unit price and
    # amount are then computed from it (``_settle``). None: the line's amount is as built.
    list_price: Decimal | None = None
    discount: Decimal = ZERO
    # Set by invoicing.vat.apply: the VAT code, and at 0 % why (Natura) with the legal reference.
    vat_code: str = ""
    vat_natura: str = ""
    vat_reference: str = ""
    # What the customer's invoice says about the line ("covered by contract C-12").
    customer_note: str = ""

    @property
    def kind_label(self) -> str:
        return str(LineKind(self.kind).label)

    @property
    def note(self) -> str:
        return ", ".join(str(n) for n in self.notes)

    @property
    def differs(self) -> bool:
        return self.quoted is not None and self.quantity != self.quoted


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


# --- Where prices come from ---------------------------------------------------------------------
@dataclass(frozen=True)
class Price:
    price: Decimal
    discount: Decimal
    description: str
    source: Any


def default_price_list() -> PriceList | None:
    """The company default list with its rates (``PriceList.is_default``, active)."""
    return PriceList.objects.filter(is_default=True, active=True).prefetch_related("rates").first()


def work_day(intervention: Intervention) -> datetime.date:
    """The day whose prices apply: the first day hours were recorded, else the requested day."""
    days = [entry.date for entry in intervention.time_entries.all()]
    return min(days) if days else intervention.requested_date or timezone.localdate()


def _valid_on(price_list: PriceList | None, day: datetime.date) -> bool:
    return (
        price_list is not None
        and price_list.active
        and not price_list.is_warranty
        and price_list.valid_from <= day
        and (price_list.valid_to is None or price_list.valid_to >= day)
    )


class Pricing:
    """The pricing order of one intervention: quote, contract list, customer list, type list,
    company default."""

    def __init__(self, intervention: Intervention) -> None:
        self.quote = intervention.quote
        self.quote_lines = _quote_lines(intervention)
        day = work_day(intervention)
        language = get_language() or settings.LANGUAGE_CODE
        self.language = language[:2]
        self.quote_code = self.quote.code if self.quote is not None else ""
        lists: list[tuple[Any, Any]] = []
        contract = intervention.call.contract
        if contract is not None:
            covering = [p for p in contract.price_lists.all() if _valid_on(p, day)]  # prefetched
            if covering:
                chosen = max(covering, key=lambda p: (p.valid_from, p.pk))
                lists.append((chosen, SOURCE_CONTRACT % {"code": contract.code}))
        own = [
            p for p in intervention.call.customer.price_lists.all() if _valid_on(p, day)
        ]  # prefetched
        if own:
            chosen = max(own, key=lambda p: (p.valid_from, p.pk))
            lists.append((chosen, SOURCE_CUSTOMER % {"name": chosen.name}))
        type_list = intervention.type.price_list if intervention.type else None
        if _valid_on(type_list, day):
            lists.append((type_list, SOURCE_TYPE % {"type": intervention.type}))
        default = getattr(intervention, "default_price_list", None)
        if not hasattr(intervention, "default_price_list"):
            default = default_price_list()
        if _valid_on(default, day):
            lists.append((default, SOURCE_DEFAULT))
        self.lists = lists

    def of(self, rate_kind: str) -> Price | None:
        """The price of ``rate_kind`` by the pricing order; None when nothing prices it."""
        for line in self.quote_lines:
            if line.kind == rate_kind:
                return Price(
                    line.unit_price,
                    line.discount,
                    line.description,
                    SOURCE_QUOTE % {"code": self.quote_code},
                )
        return self.from_lists(rate_kind)

    def from_lists(self, rate_kind: str) -> Price | None:
        for price_list, source in self.lists:
            for rate in price_list.rates.all():
                if rate.kind == rate_kind:
                    return Price(rate.price, ZERO, rate.description_in(self.language), source)
        return None


def _priced(
    kind: str,
    quantity: Decimal,
    price: Price | None,
    vat: Decimal,
    *,
    key: str,
    label: str,
    quoted: Decimal | None = None,
) -> Line:
    """A line priced by the pricing order, or at zero flagged "no rate"."""
    if price is None:
        return Line(
            kind, label, quantity, ZERO, ZERO, vat, [NOTE_NO_RATE], quoted, key, "", ZERO, ZERO
        )
    return Line(
        kind,
        price.description or label,
        quantity,
        ZERO,
        ZERO,
        vat,
        [],
        quoted,
        key,
        price.source,
        price.price,
        price.discount,
    )


def bill(intervention: Intervention, codes: vat.Codes | None = None) -> InterventionBill:
    """The billable lines of one intervention.

    Expects ``quote__lines``, ``time_entries``, ``expenses``, ``parts_used``,
    ``billing_corrections``, the customer's and the type's price lists with their rates
    prefetched and ``default_price_list`` set (see ``selectors.with_billing_data`` and
    ``selectors.bills_for``), and the VAT ``codes`` read once (``vat.Codes``), to keep query
    counts fixed on list pages.
    """
    quote = intervention.quote
    pricing = Pricing(intervention)
    service_vat = Decimal(quote.vat_rate) if quote is not None else default_vat_rate()
    is_warranty = bool(intervention.type and intervention.type.is_warranty)
    corrections = list(intervention.billing_corrections.all())  # in order: the latest wins

    lines = [
        *_hour_lines(intervention, pricing, service_vat),
        *_quoted_lines(intervention, pricing, service_vat),
        *_km_lines(intervention, pricing, service_vat),
        *_part_lines(intervention),
        *_expense_lines(intervention, service_vat),
    ]
    _name_lines(lines)
    _apply_contract(lines, intervention.call.contract)
    _apply_corrections(lines, corrections, service_vat)
    _settle(lines, is_warranty)
    vat.apply(lines, intervention.call.customer, codes)
    return InterventionBill(intervention=intervention, lines=lines, is_warranty=is_warranty)


def _hour_lines(intervention: Intervention, pricing: Pricing, service_vat: Decimal) -> list[Line]:
    """Labour at each rate and travel: the actual hours at the price of the pricing order."""
    hours: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for entry in intervention.time_entries.all():
        rate = entry.rate if entry.kind == WorkKind.LABOUR else LabourRate.NORMAL
        hours[(entry.kind, rate)] += entry.hours

    lines: list[Line] = []
    for kind, work_kind, rate, rate_kind in HOUR_LINES:
        quoted_lines = [q for q in pricing.quote_lines if q.kind == rate_kind]
        quantity = hours.get((work_kind, rate), ZERO)
        if not quoted_lines and not quantity:
            continue
        quoted = sum((q.quantity for q in quoted_lines), ZERO) if quoted_lines else None
        key = f"{kind}:{rate}" if kind == LineKind.LABOUR else str(kind)
        label = str(RateKind(rate_kind).label)
        lines.append(
            _priced(
                kind,
                quantity,
                pricing.of(rate_kind),
                service_vat,
                key=key,
                label=label,
                quoted=quoted,
            )
        )
    return lines


def _quoted_lines(intervention: Intervention, pricing: Pricing, service_vat: Decimal) -> list[Line]:
    """Call-out, fixed-price and other lines, as quoted; without a quote, the price list's
    call-out fee once when hours were recorded."""
    lines: list[Line] = []
    for q in pricing.quote_lines:
        if q.kind in AS_QUOTED:
            lines.append(
                Line(
                    AS_QUOTED[q.kind],
                    q.description,
                    q.quantity,
                    ZERO,
                    ZERO,
                    service_vat,
                    [],
                    q.quantity,
                    f"quote:{q.pk}",
                    SOURCE_QUOTE % {"code": pricing.quote_code},
                    q.unit_price,
                    q.discount,
                )
            )
    if pricing.quote is None and any(True for _e in intervention.time_entries.all()):
        price = pricing.from_lists(RateKind.CALL_OUT)
        if price is not None:
            lines.append(
                _priced(
                    LineKind.CALL_OUT,
                    Decimal(1),
                    price,
                    service_vat,
                    key="call_out",
                    label=str(LineKind.CALL_OUT.label),
                )
            )
    return lines


def _km_lines(intervention: Intervention, pricing: Pricing, service_vat: Decimal) -> list[Line]:
    """The kilometres recorded, at the customer's km price (the pricing order), not at the
    technician's reimbursement rate."""
    if expense_rule(ExpenseKind.KM).rebill == REBILL_NO:
        return []
    km = [e for e in intervention.expenses.all() if e.kind == ExpenseKind.KM]
    if not km:
        return []
    distance = sum((e.km or ZERO for e in km), ZERO)
    quoted_km = [q for q in pricing.quote_lines if q.kind == RateKind.KM]
    quoted = sum((q.quantity for q in quoted_km), ZERO) if quoted_km else None
    return [
        _priced(
            LineKind.KM,
            distance,
            pricing.of(RateKind.KM),
            service_vat,
            key="km",
            label=str(LineKind.KM.label),
            quoted=quoted,
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
            notes.append(_("discount %(percent)s%%") % {"percent": plain(part.discount_percent)})
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
    """Expenses other than kilometres, one line each, by the ``EXPENSE_RULES`` of their kind:
    at cost, with a markup, at a fixed rate, or not billed (reimbursed to the technician only)."""
    lines: list[Line] = []
    for expense in intervention.expenses.all():
        if expense.kind == ExpenseKind.KM:
            continue
        rule = expense_rule(expense.kind)
        if rule.rebill == REBILL_NO:
            continue
        source: Any
        if rule.rebill == REBILL_MARKUP:
            price = increase(expense.amount, rule.percent)
            source = SOURCE_MARKUP % {"percent": plain(rule.percent)}
        elif rule.rebill == REBILL_FIXED:
            price, source = rule.price, SOURCE_FIXED
        else:
            price, source = expense.amount, SOURCE_COST
        # The technician's note ("lunch with the team") is for the office: a note of the line on
        # the verification page, not part of the customer's description.
        lines.append(
            Line(
                LineKind.EXPENSES,
                expense.get_kind_display(),
                Decimal(1),
                ZERO,
                ZERO,
                service_vat,
                [expense.note] if expense.note else [],
                None,
                f"expense:{expense.pk}",
                source,
                price,
                ZERO,
            )
        )
    return lines


def _apply_contract(lines: list[Line], contract: Any) -> None:
    """The contract's coverage on the lines of the kinds it covers: included (zero) or
    discounted by its percentage; the line says so. Parts already paid through an order or
    under warranty stay as they are (zero)."""
    if contract is None:
        return
    for line in lines:
        field_name = CONTRACT_KINDS.get(LineKind(line.kind))
        if field_name is None:
            continue
        mode, percent = contract.coverage_of(field_name)
        if mode == Coverage.INCLUDED:
            percent = Decimal(100)
        elif mode != Coverage.DISCOUNTED or not percent:
            continue
        if line.list_price is not None:
            # Priced lines: the contract's discount replaces a smaller one (never adds up past
            # 100 %); ``_settle`` computes the price and amount from it.
            line.discount = max(line.discount, percent)
        elif line.amount:
            line.unit_price = discounted(line.unit_price, percent)
            line.amount = money(line.amount * (Decimal(100) - percent) / Decimal(100))
        else:
            continue
        if mode == Coverage.INCLUDED:
            note = NOTE_CONTRACT % {"code": contract.code}
        else:
            note = NOTE_CONTRACT_DISCOUNT % {"code": contract.code, "percent": plain(percent)}
        line.notes.append(note)
        line.customer_note = str(note)


def _name_lines(lines: list[Line]) -> None:
    """Give the lines built without a key (parts) one by kind and position: ``parts:1``..."""
    seen: dict[str, int] = defaultdict(int)
    for line in lines:
        if not line.key:
            seen[line.kind] += 1
            line.key = f"{line.kind}:{seen[line.kind]}"


def _settle(lines: list[Line], is_warranty: bool) -> None:
    """Quantity x price after discount for the priced lines; a warranty intervention bills every
    line at zero."""
    for line in lines:
        if line.list_price is not None:
            line.unit_price = discounted(line.list_price, line.discount)
            line.amount = money(line.quantity * line.unit_price)
        if is_warranty:
            line.amount = ZERO
            if NOTE_WARRANTY not in line.notes:
                line.notes.append(NOTE_WARRANTY)


def _apply_corrections(lines: list[Line], corrections: list, service_vat: Decimal) -> None:
    """Each correction in turn: change a line's quantity, price or discount, remove it, or add
    a line. A correction of a line no longer on the bill is left out (and shown as such)."""
    for correction in corrections:
        if correction.action == CorrectionAction.ADD:
            lines.append(
                Line(
                    correction.kind,
                    correction.description or str(LineKind(correction.kind).label),
                    correction.quantity if correction.quantity is not None else Decimal(1),
                    ZERO,
                    ZERO,
                    service_vat,
                    [NOTE_CORRECTED],
                    None,
                    f"added:{correction.pk}",
                    SOURCE_ADDED,
                    correction.unit_price if correction.unit_price is not None else ZERO,
                    correction.discount if correction.discount is not None else ZERO,
                )
            )
            continue
        target = next((line for line in lines if line.key == correction.line), None)
        if target is None:
            continue
        if correction.action == CorrectionAction.REMOVE:
            lines.remove(target)
            continue
        if target.list_price is None:  # a line priced elsewhere (parts): its price as built,
            target.list_price = target.unit_price if target.amount else ZERO  # or free
        if correction.quantity is not None:
            target.quantity = correction.quantity
        if correction.unit_price is not None:
            target.list_price = correction.unit_price
            target.notes = [n for n in target.notes if n is not NOTE_NO_RATE]
        if correction.discount is not None:
            target.discount = correction.discount
        if correction.description:
            target.description = correction.description
        if NOTE_CORRECTED not in target.notes:
            target.notes.append(NOTE_CORRECTED)


def figures(lines: Iterable[Line]) -> list[list[str]]:
    """The billable figures of ``lines``, comparable across languages (no descriptions, notes):
    what final verification freezes (``invoicing.models.VerifiedFigures``)."""
    return [
        [
            line.kind,
            plain(line.quantity),
            plain(line.unit_price),
            plain(line.amount),
            plain(line.vat_rate),
        ]
        for line in lines
    ]
