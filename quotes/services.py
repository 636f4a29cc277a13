"""Every write on price lists and quotes goes through these functions.

Each one checks who is acting and the preconditions, runs in one transaction, and raises
``QuoteError`` with translated messages the page can show as they are. The calls app uses them
for section 3 of the call management page; it never writes quote rows itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Contact, Customer
from quotes import access
from quotes.access import can_change_prices
from quotes.models import (
    MAX_QUANTITY,
    PriceList,
    Quote,
    QuoteEvent,
    QuoteLine,
    QuoteState,
    Rate,
    RateKind,
)
from service_portal import history, locking, parties
from service_portal.errors import DomainError
from service_portal.money import ZERO, default_vat_rate, increase, is_percent, money
from service_portal.numbering import next_code
from service_portal.permissions import check_role
from service_portal.roles import STAFF
from service_portal.tasks import enqueue_after_commit

QUOTE_SERIES = "quote"

# The only state changes a quote knows; anything else is refused (see docs/quotes.md).
TRANSITIONS: dict[str, set[str]] = {
    QuoteState.DRAFT: {QuoteState.CONFIRMED, QuoteState.SUPERSEDED},
    QuoteState.CONFIRMED: {QuoteState.ACCEPTED, QuoteState.DECLINED, QuoteState.SUPERSEDED},
    QuoteState.ACCEPTED: {QuoteState.SUPERSEDED},
    QuoteState.DECLINED: {QuoteState.SUPERSEDED},
    QuoteState.SUPERSEDED: set(),
}
# States a change makes a new revision from (the old one stays as it was, answer included).
REVISABLE = frozenset({QuoteState.CONFIRMED, QuoteState.ACCEPTED, QuoteState.DECLINED})


class QuoteError(DomainError):
    """A refused change; ``messages`` are translated and meant for the user."""


# --- Price lists ----------------------------------------------------------------------------
def price_lists_for(
    customer: Customer, on_date: datetime.date, under_warranty: bool = False
) -> list[PriceList]:
    """The price lists that may be used for ``customer`` on ``on_date``, best first.

    Under warranty the warranty lists come first (the customer pays nothing for covered work),
    then the customer's own lists, then the standard ones; out of warranty the warranty lists
    are left out. Other customers' own lists never appear.
    """
    lists = PriceList.objects.valid_on(on_date).filter(
        Q(customer__isnull=True) | Q(customer=customer)
    )
    candidates = [pl for pl in lists if under_warranty or not pl.is_warranty]

    def rank(pl: PriceList) -> tuple:
        return (
            not (under_warranty and pl.is_warranty),
            pl.customer_id is None,
            -pl.valid_from.toordinal(),
            pl.name,
            pl.pk,
        )

    return sorted(candidates, key=rank)


@transaction.atomic
def copy_price_list(
    *,
    price_list: PriceList,
    name: str,
    valid_from: datetime.date,
    acting_user: User,
    valid_to: datetime.date | None = None,
    percent_increase: Decimal = ZERO,
    customer: Customer | None = None,
    keep_customer: bool = True,
) -> PriceList:
    """A new price list with the same rates, prices raised by ``percent_increase`` percent.

    Used to start a new year's list; the old one stays as it is (quotes made with it keep
    pointing at it). Descriptions are copied in every language.
    """
    access.check_may_quote(acting_user)
    percent_increase = Decimal(percent_increase)
    errors = []
    if not name.strip():
        errors.append(_("The new price list needs a name."))
    if percent_increase < Decimal("-100") or percent_increase > Decimal("1000"):
        errors.append(_("The increase must be between -100% and 1000%."))
    if valid_to is not None and valid_to < valid_from:
        errors.append(_("The end of validity cannot precede its start."))
    if errors:
        raise QuoteError(errors)
    copy = PriceList.objects.create(
        name=name.strip(),
        customer=price_list.customer if keep_customer and customer is None else customer,
        is_warranty=price_list.is_warranty,
        valid_from=valid_from,
        valid_to=valid_to,
        currency=price_list.currency,
        active=True,
        notes=price_list.notes,
    )
    languages = [code for code, _name in settings.LANGUAGES]
    rates = []
    for rate in price_list.rates.all():
        new = Rate(
            price_list=copy,
            code=rate.code,
            kind=rate.kind,
            unit=rate.unit,
            price=increase(rate.price, percent_increase),
            position=rate.position,
            description=rate.description,
        )
        for code in languages:
            field = f"description_{code}"
            setattr(new, field, getattr(rate, field, None))
        rates.append(new)
    Rate.objects.bulk_create(rates)
    return copy


# --- Quotes ---------------------------------------------------------------------------------
def _record(quote: Quote, user: User, action: str, note: str = "", **states: str) -> None:
    history.record(
        QuoteEvent,
        quote,
        from_state=states.get("from_state", ""),
        to_state=states.get("to_state", ""),
        by=user,
        reason=note,
        action=action,
    )


def _line_from_rate(quote: Quote, rate: Rate, language: str, position: int) -> QuoteLine:
    return QuoteLine(
        quote=quote,
        rate=rate,
        kind=rate.kind,
        code=rate.code,
        description=rate.description_in(language),
        unit=rate.unit,
        quantity=Decimal("1.00"),
        unit_price=rate.price,
        discount=ZERO,
        position=position,
    )


@transaction.atomic
def create_quote_from_price_list(
    *,
    customer: Customer,
    price_list: PriceList,
    acting_user: User,
    vat_rate: Decimal | None = None,
    notes: str = "",
) -> Quote:
    """A draft quote whose lines are the rates of ``price_list``, quantity 1, prices frozen.

    Descriptions are copied in the customer's language: the quote is the customer's document.
    """
    access.check_may_quote(acting_user)
    if not price_list.active:
        raise QuoteError(_("This price list is not active."))
    if price_list.customer_id not in (None, customer.pk):
        raise QuoteError(_("This price list belongs to another customer."))
    vat_rate = default_vat_rate() if vat_rate is None else Decimal(vat_rate)
    if not is_percent(vat_rate):
        raise QuoteError(_("The VAT rate must be between 0 and 100."))
    quote = Quote.objects.create(
        code=next_code(QUOTE_SERIES, separator="-P"),
        customer=customer,
        price_list=price_list,
        price_list_name=price_list.name,
        currency=price_list.currency,
        vat_rate=vat_rate,
        notes=notes,
        created_by=acting_user,
    )
    rates = list(price_list.rates.all())
    QuoteLine.objects.bulk_create(
        [
            _line_from_rate(quote, rate, customer.language, position)
            for position, rate in enumerate(rates, start=1)
        ]
    )
    _record(quote, acting_user, "created", note=price_list.name, to_state=quote.state)
    return quote


@dataclass
class LineChange:
    """One row of the quote editor.

    ``line_id`` None is a new line: from ``rate_id`` (a rate of the quote's price list, priced
    by it) or, with ``rate_id`` None as well, a free line whose price the user types.
    ``unit_price``/``discount`` None mean "unchanged" (or the rate's price for a new line).
    """

    quantity: Decimal
    line_id: int | None = None
    rate_id: int | None = None
    unit_price: Decimal | None = None
    discount: Decimal | None = None
    delete: bool = False
    description: str = ""
    code: str = ""
    unit: str = ""
    kind: str = RateKind.OTHER


def _check_amounts(label: str, change: LineChange) -> list[str]:
    errors = []
    quantity = change.quantity
    if quantity is None or quantity <= 0:
        errors.append(_("%(line)s: the quantity must be greater than zero.") % {"line": label})
    elif quantity > MAX_QUANTITY:
        errors.append(
            _("%(line)s: the quantity %(quantity)s is too large (at most %(max)s).")
            % {"line": label, "quantity": quantity, "max": MAX_QUANTITY}
        )
    elif money(quantity) != quantity:
        errors.append(_("%(line)s: the quantity may have at most two decimals.") % {"line": label})
    if change.unit_price is not None and change.unit_price < 0:
        errors.append(_("%(line)s: a price cannot be negative.") % {"line": label})
    if change.discount is not None and not is_percent(change.discount):
        errors.append(_("%(line)s: the discount must be between 0 and 100%%.") % {"line": label})
    return errors


def _lock_editable(quote: Quote, version: int | None) -> Quote:
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    conflict = _(
        "Someone else changed this quote while you were editing it. Your changes have "
        "not been saved: reload the page and apply them again."
    )
    locking.check(locked, version, error=QuoteError, message=conflict)
    if not locked.is_editable:
        raise QuoteError(
            _("Quote %(code)s is %(state)s and can no longer be changed.")
            % {"code": locked.code, "state": locked.get_state_display().lower()}
        )
    if intervention_locks(locked):
        raise QuoteError(
            _(
                "The intervention of quote %(code)s is verified: its quote can no longer be "
                "changed (the administrator corrects the bill on the verification page)."
            )
            % {"code": locked.code}
        )
    return locked


# Once its intervention is verified (or invoiced), an intervention's quote is what is billed:
# read-only (issue 19). quotes sits below calls: the states are read through the reverse link.
INTERVENTION_LOCK_STATES = frozenset({"verified", "invoiced"})


def intervention_locks(quote: Quote) -> bool:
    intervention = getattr(quote, "intervention", None)  # None: not an intervention's quote
    return intervention is not None and intervention.state in INTERVENTION_LOCK_STATES


def _price_refused(label: str) -> str:
    return _("%(line)s: only an administrator may change prices and discounts.") % {"line": label}


@dataclass
class _LinesEdit:
    """The editor's rows checked one by one against a locked draft quote; nothing is written
    until every row is valid (``errors`` empty)."""

    quote: Quote
    may_price: bool
    existing: dict[int, QuoteLine]
    rates: dict[int, Rate]
    position: int
    errors: list[str] = field(default_factory=list)
    to_update: list[QuoteLine] = field(default_factory=list)
    to_create: list[QuoteLine] = field(default_factory=list)
    to_delete: list[int] = field(default_factory=list)

    def apply(self, index: int, change: LineChange) -> None:
        if change.line_id is not None:
            self._change(index, change)
        elif not change.delete:
            self.position += 1
            self._add(change)

    def _change(self, index: int, change: LineChange) -> None:
        """A row of an existing line: removed, or its quantity (and, if allowed, price)."""
        line = self.existing.get(change.line_id) if change.line_id is not None else None
        if line is None:
            self.errors.append(_("Line %(number)s is not part of this quote.") % {"number": index})
            return
        if change.delete:
            self.to_delete.append(line.pk)
            return
        label = line.code or line.description
        self.errors += _check_amounts(label, change)
        price_changed = change.unit_price is not None and change.unit_price != line.unit_price
        discount_changed = change.discount is not None and change.discount != line.discount
        if (price_changed or discount_changed) and not self.may_price:
            self.errors.append(_price_refused(label))
            return
        line.quantity = change.quantity
        if change.unit_price is not None:
            line.unit_price = change.unit_price
        if change.discount is not None:
            line.discount = change.discount
        self.to_update.append(line)

    def _add(self, change: LineChange) -> None:
        """A new row: from a rate of the quote's price list, or a free line."""
        made = self._from_rate(change) if change.rate_id else self._free(change)
        if made is None:
            return
        line, label = made
        self.errors += _check_amounts(label, change)
        self._price_new(line, label, change)
        self.to_create.append(line)

    def _from_rate(self, change: LineChange) -> tuple[QuoteLine, str] | None:
        rate = self.rates.get(change.rate_id) if change.rate_id else None
        if rate is None:
            self.errors.append(_("The chosen rate is not part of this quote's price list."))
            return None
        line = _line_from_rate(self.quote, rate, self.quote.customer.language, self.position)
        return line, rate.code

    def _free(self, change: LineChange) -> tuple[QuoteLine, str] | None:
        label = change.code or change.description or _("New line")
        if not change.description.strip():
            self.errors.append(_("%(line)s: a new line needs a description.") % {"line": label})
            return None
        if not self.may_price:
            self.errors.append(
                _("%(line)s: only an administrator may add a line with its own price.")
                % {"line": label}
            )
            return None
        line = QuoteLine(
            quote=self.quote,
            kind=change.kind,
            code=change.code.strip(),
            description=change.description.strip(),
            unit=change.unit.strip(),
            unit_price=change.unit_price or ZERO,
            position=self.position,
        )
        return line, label

    def _price_new(self, line: QuoteLine, label: str, change: LineChange) -> None:
        """Quantity, and the price and discount typed on a new line (if allowed)."""
        from_rate = bool(change.rate_id)
        if from_rate and not self.may_price and change.unit_price not in (None, line.unit_price):
            self.errors.append(_price_refused(label))
        line.quantity = change.quantity
        if from_rate and self.may_price and change.unit_price is not None:
            line.unit_price = change.unit_price
        if change.discount is not None:
            if change.discount and not self.may_price:
                self.errors.append(_price_refused(label))
            line.discount = change.discount


@transaction.atomic
def update_quote_lines(
    *,
    quote: Quote,
    lines: Sequence[LineChange],
    acting_user: User,
    version: int | None = None,
) -> Quote:
    """Apply the editor's rows: change quantities, add and remove lines.

    Anyone who may quote (office staff) changes quantities and adds lines from the quote's price
    list; changing a price or a discount, or adding a free line with its own price, needs
    ``can_change_prices``. ``version`` is the quote's version when the page was loaded:
    a quote saved by someone else in the meantime is not overwritten.
    """
    check_role(acting_user, STAFF)
    quote = _lock_editable(quote, version)
    existing = {line.pk: line for line in quote.lines.all()}
    rate_ids = [c.rate_id for c in lines if c.line_id is None and c.rate_id]
    edit = _LinesEdit(
        quote=quote,
        may_price=can_change_prices(acting_user),
        existing=existing,
        rates={r.pk: r for r in Rate.objects.filter(price_list=quote.price_list, pk__in=rate_ids)},
        position=max((line.position for line in existing.values()), default=0),
    )
    for index, change in enumerate(lines, start=1):
        edit.apply(index, change)
    if edit.errors:
        raise QuoteError(edit.errors)
    QuoteLine.objects.filter(quote=quote, pk__in=edit.to_delete).delete()
    QuoteLine.objects.bulk_update(edit.to_update, ["quantity", "unit_price", "discount"])
    QuoteLine.objects.bulk_create(edit.to_create)
    quote.save(update_fields=["updated_at", "version"])
    _record(
        quote,
        acting_user,
        "lines_changed",
        note=_("%(changed)s changed, %(added)s added, %(removed)s removed")
        % {
            "changed": len(edit.to_update),
            "added": len(edit.to_create),
            "removed": len(edit.to_delete),
        },
    )
    return quote


@transaction.atomic
def update_quote_terms(
    *, quote: Quote, acting_user: User, notes: str, vat_rate: Decimal, version: int | None = None
) -> Quote:
    """Notes and VAT rate of a draft quote (the VAT rate is a price: it needs the permission)."""
    access.check_may_quote(acting_user)
    quote = _lock_editable(quote, version)
    vat_rate = Decimal(vat_rate)
    if vat_rate != quote.vat_rate:
        if not can_change_prices(acting_user):
            raise QuoteError(_("Only an administrator may change the VAT rate."))
        if not is_percent(vat_rate):
            raise QuoteError(_("The VAT rate must be between 0 and 100."))
    quote.notes = notes
    quote.vat_rate = vat_rate
    quote.save(update_fields=["notes", "vat_rate", "updated_at", "version"])
    return quote


def _refused(from_state: str, to_state: str) -> QuoteError:
    return QuoteError(
        _("A quote cannot go from %(from)s to %(to)s.")
        % {"from": QuoteState(from_state).label.lower(), "to": QuoteState(to_state).label.lower()}
    )


def _set_state(
    quote: Quote, to_state: str, acting_user: User, note: str = "", fields: Sequence[str] = ()
) -> Quote:
    history.apply(
        quote,
        to_state,
        history=QuoteEvent,
        by=acting_user,
        reason=note,
        allowed=TRANSITIONS,
        refused=_refused,
        fields=[*fields, "version"],
        action="state",
    )
    return quote


@transaction.atomic
def confirm_quote(*, quote: Quote, acting_user: User) -> Quote:
    """Freeze a draft: from now on it is the document given to the customer."""
    access.check_may_quote(acting_user)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.state == QuoteState.DRAFT and not quote.lines.exists():
        raise QuoteError(_("A quote without lines cannot be confirmed."))
    with translation.override(quote.customer.language or None):  # the document's language
        parties.freeze(quote)
    return _set_state(quote, QuoteState.CONFIRMED, acting_user, fields=["issued_parties"])


@transaction.atomic
def revise_quote(*, quote: Quote, acting_user: User) -> Quote:
    """A new draft copied from ``quote``, which becomes superseded (a correction is a new
    document pointing at the old one; the old one is never edited)."""
    access.check_may_quote(acting_user)
    old = Quote.objects.select_for_update().get(pk=quote.pk)
    if old.state not in REVISABLE:
        raise QuoteError(_("Only a confirmed quote can be revised; edit the draft instead."))
    new = Quote.objects.create(
        code=next_code(QUOTE_SERIES, separator="-P"),
        customer=old.customer,
        price_list=old.price_list,
        price_list_name=old.price_list_name,
        currency=old.currency,
        vat_rate=old.vat_rate,
        notes=old.notes,
        replaces=old,
        created_by=acting_user,
    )
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(
                quote=new,
                rate_id=line.rate_id,
                kind=line.kind,
                code=line.code,
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                position=line.position,
            )
            for line in old.lines.all()
        ]
    )
    _set_state(old, QuoteState.SUPERSEDED, acting_user, note=new.code)
    _record(new, acting_user, "created", note=old.code, to_state=new.state)
    # The intervention the quote prices (calls, reached through its reverse relation: this app
    # cannot import it) now points at the new revision, which needs its own answer.
    priced = getattr(old, "intervention", None)
    if priced is not None:
        type(priced)._default_manager.filter(pk=priced.pk).update(quote=new)
        old.__dict__.pop("intervention", None)
    return new


# --- The customer's answer ------------------------------------------------------------------
@transaction.atomic
def send_quote(*, quote: Quote, contact: Contact, acting_user: User) -> Quote:
    """Confirm the quote if it is a draft, then e-mail it (PDF and acceptance link) to
    ``contact`` after the commit. Sending again (a lost e-mail) keeps the same document."""
    from quotes.tasks import send_quote_email

    access.check_may_quote(acting_user)
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    if contact.customer_id != locked.customer_id:
        raise QuoteError(_("The contact must belong to the customer."))
    if not contact.email:
        raise QuoteError(
            _("Contact %(name)s has no e-mail address: add one before sending.")
            % {"name": contact.name}
        )
    if locked.state == QuoteState.DRAFT:
        locked = confirm_quote(quote=locked, acting_user=acting_user)
    if locked.state != QuoteState.CONFIRMED:
        raise QuoteError(
            _("Quote %(code)s is %(state)s: it cannot be sent for acceptance.")
            % {"code": locked.code, "state": locked.get_state_display().lower()}
        )
    locked.contact = contact
    locked.sent_at = timezone.now()
    locked.save(update_fields=["contact", "sent_at", "updated_at"])
    _record(locked, acting_user, "sent", note=contact.email)
    enqueue_after_commit(send_quote_email, locked.pk)
    return locked


@transaction.atomic
def record_quote_decision(*, quote: Quote, accept: bool, name: str, reason: str = "") -> Quote:
    """The customer's answer through the signed link: accepted, or declined with a reason.

    The quote is locked: two answers at once (a double click) are one answer, the second
    refused. An accepted quote is frozen; a change makes a revision that needs a new answer.
    """
    name, reason = name.strip(), reason.strip()
    if not name:
        raise QuoteError(_("Enter the name of the person who decided."))
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    if locked.state == QuoteState.SUPERSEDED:
        raise QuoteError(_("This quote has been replaced by a newer revision."))
    if not locked.awaits_answer:
        raise QuoteError(
            _("This quote is already %(state)s.") % {"state": locked.get_state_display().lower()}
        )
    if not accept and not reason:
        raise QuoteError(_("Tell us why the quote is declined."))
    to_state = QuoteState.ACCEPTED if accept else QuoteState.DECLINED
    locked.decision = to_state
    locked.decided_at = timezone.now()
    locked.decided_by_name = name
    locked.decision_reason = "" if accept else reason
    history.apply(
        locked,
        to_state,
        history=QuoteEvent,
        by=None,
        by_name=name,
        reason="" if accept else reason,
        allowed=TRANSITIONS,
        refused=_refused,
        fields=["decision", "decided_at", "decided_by_name", "decision_reason", "version"],
        action="decided",
    )
    return locked


def quote_not_accepted(intervention: Any) -> str:
    """Why ``intervention`` may not be planned yet, or "" when it may.

    Its type may ask for the customer's acceptance of the quote before planning (the calls
    app asks this in its planning check; ``intervention`` is a ``calls.Intervention``).
    """
    kind = intervention.type
    if kind is None or not kind.requires_quote_acceptance:
        return ""
    quote = intervention.quote
    if quote is not None and quote.state == QuoteState.ACCEPTED:
        return ""
    return _(
        "Interventions of type “%(type)s” are planned only after the customer accepted the "
        "quote: send the quote and wait for the answer."
    ) % {"type": kind.name}
