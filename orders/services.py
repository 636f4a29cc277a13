"""Every write on offers and orders: atomic, checked, recorded in the history.

Views call these functions and show the ``OfferError`` message when a precondition fails; side
effects (the PDF and the e-mail to the customer) are queued to run after the commit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Contact, Customer, Site, Unit
from events.outbox import emit
from orders import access, payloads
from orders.models import (
    Offer,
    OfferLine,
    OfferState,
    OfferStateChange,
    Order,
    OrderLine,
    OrderState,
    OrderStateChange,
    SparePart,
    VatRate,
)
from service_portal import history, locking, parties
from service_portal.errors import DomainError
from service_portal.numbering import next_code
from service_portal.tasks import enqueue_after_commit

OFFER_SERIES = "offer"
DEFAULT_VALIDITY_DAYS = 30

# The offer's life; anything not listed is refused.
OFFER_TRANSITIONS: dict[str, set[str]] = {
    OfferState.DRAFT: {OfferState.SENT, OfferState.CANCELLED},
    OfferState.SENT: {
        OfferState.ACCEPTED,
        OfferState.DECLINED,
        OfferState.EXPIRED,
        OfferState.CANCELLED,
        OfferState.SUPERSEDED,
    },
    OfferState.DECLINED: {OfferState.SUPERSEDED},
    OfferState.EXPIRED: {OfferState.SUPERSEDED},
    OfferState.ACCEPTED: set(),
    OfferState.CANCELLED: set(),
    OfferState.SUPERSEDED: set(),
}

ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderState.CONFIRMED: {OrderState.PARTLY_SHIPPED, OrderState.SHIPPED, OrderState.CANCELLED},
    OrderState.PARTLY_SHIPPED: {OrderState.SHIPPED},
    OrderState.SHIPPED: {OrderState.DELIVERED},
    OrderState.DELIVERED: set(),
    OrderState.CANCELLED: set(),
}

DECISION_CHANNELS = {"link", "phone", "paper"}


class OfferError(DomainError):
    """A refused change; the message is translated and shown to the user."""


# --- Helpers --------------------------------------------------------------------------------
def _locked_offer(offer: Offer) -> Offer:
    return Offer.objects.select_for_update().get(pk=offer.pk)


def _require_draft(offer: Offer) -> None:
    if offer.state != OfferState.DRAFT:
        raise OfferError(
            _("Offer %(code)s has been sent and cannot be changed: make a new revision.")
            % {"code": offer.display_code}
        )


def _offer_refused(from_state: str, to_state: str) -> OfferError:
    return OfferError(
        _("An offer that is %(from)s cannot become %(to)s.")
        % {"from": OfferState(from_state).label, "to": OfferState(to_state).label}
    )


def _order_refused(from_state: str, to_state: str) -> OfferError:
    return OfferError(
        _("An order that is %(from)s cannot become %(to)s.")
        % {"from": OrderState(from_state).label, "to": OrderState(to_state).label}
    )


def _set_offer_state(
    offer: Offer, to_state: str, *, user: User | None = None, by_name: str = "", reason: str = ""
) -> None:
    history.apply(
        offer,
        to_state,
        history=OfferStateChange,
        by=user,
        reason=reason,
        allowed=OFFER_TRANSITIONS,
        refused=_offer_refused,
        fields=["version"],
        by_name=by_name,
    )


def _check_parties(customer: Customer, site: Site, contact: Contact, unit: Unit | None) -> None:
    if site.customer_id != customer.pk:
        raise OfferError(_("The site must belong to the customer."))
    if contact.customer_id != customer.pk:
        raise OfferError(_("The contact must belong to the customer."))
    if unit is not None and unit.site.customer_id != customer.pk:
        raise OfferError(_("The unit must be installed at one of the customer's sites."))


# --- The wizard -----------------------------------------------------------------------------
@transaction.atomic
def create_draft_offer(
    *, customer: Customer, site: Site, contact: Contact, unit: Unit | None, acting_user: User
) -> Offer:
    """Step 1: the draft exists from here on, so nothing typed is lost if the browser closes."""
    access.check_may_sell(acting_user)
    _check_parties(customer, site, contact, unit)
    offer = Offer.objects.create(
        code=next_code(OFFER_SERIES),
        customer=customer,
        site=site,
        contact=contact,
        unit=unit,
        billing_customer=customer,
        billing_site=site,
        billing_contact=contact,
        language=customer.language,
        valid_until=timezone.localdate() + datetime.timedelta(days=DEFAULT_VALIDITY_DAYS),
        created_by=acting_user,
    )
    history.record(OfferStateChange, offer, to_state=OfferState.DRAFT, by=acting_user)
    return offer


@transaction.atomic
def update_offer_parties(
    *,
    offer: Offer,
    customer: Customer,
    site: Site,
    contact: Contact,
    unit: Unit | None,
    acting_user: User,
) -> Offer:
    access.check_may_sell(acting_user)
    offer = _locked_offer(offer)
    _require_draft(offer)
    _check_parties(customer, site, contact, unit)
    if customer.pk != offer.customer_id:
        # A different customer: the billing data and the language follow the new one.
        offer.billing_customer = customer
        offer.billing_site = site
        offer.billing_contact = contact
        offer.language = customer.language
    offer.customer, offer.site, offer.contact, offer.unit = customer, site, contact, unit
    offer.save()
    return offer


def _line_vat(offer: Offer, part: SparePart) -> tuple[VatRate, Decimal]:
    vat = offer.vat_rate or part.vat_rate
    return vat, vat.rate


@transaction.atomic
def add_line(
    *, offer: Offer, spare_part: SparePart, quantity: Decimal = Decimal("1"), acting_user: User
) -> OfferLine:
    """Add a part to the cart at its list price; the same part again adds to its quantity."""
    access.check_may_sell(acting_user)
    offer = _locked_offer(offer)
    _require_draft(offer)
    if not spare_part.is_active:
        raise OfferError(_("Spare part %(code)s is no longer sold.") % {"code": spare_part.code})
    existing = offer.lines.select_for_update().filter(spare_part=spare_part).first()
    if existing is not None:
        existing.quantity += quantity
        existing.save(update_fields=["quantity", "version"])
        return existing
    vat, vat_percent = _line_vat(offer, spare_part)
    with translation.override(offer.language):
        description = spare_part.description  # in the customer's language
    position = (offer.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    line = OfferLine.objects.create(
        offer=offer,
        position=position,
        spare_part=spare_part,
        code=spare_part.code,
        description=description,
        unit_of_measure=spare_part.unit_of_measure,
        quantity=quantity,
        unit_price=spare_part.list_price,
        vat_rate=vat,
        vat_percent=vat_percent,
    )
    offer.save(update_fields=["updated_at", "version"])
    return line


@transaction.atomic
def update_line(
    *,
    line: OfferLine,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    acting_user: User,
    expected_version: int | None = None,
) -> OfferLine:
    """The line's numbers. ``expected_version`` is the line's version when the cart was shown:
    a line changed since then (another clerk, or an "add" of the same part) is not overwritten.
    """
    access.check_may_sell(acting_user)
    _require_draft(_locked_offer(line.offer))
    locked = OfferLine.objects.select_for_update().filter(pk=line.pk)
    current = locked.values_list("version", flat=True).get()
    locking.check_value(current, expected_version, error=OfferError)
    line.quantity, line.unit_price, line.discount_percent = quantity, unit_price, discount_percent
    line.save(update_fields=["quantity", "unit_price", "discount_percent", "version"])
    return line


@transaction.atomic
def remove_line(*, line: OfferLine, acting_user: User) -> None:
    access.check_may_sell(acting_user)
    _require_draft(_locked_offer(line.offer))
    line.delete()


TERM_FIELDS = (
    "billing_customer",
    "billing_site",
    "billing_contact",
    "delivery_days",
    "payment_method",
    "vat_rate",
    "delivery_term",
    "transport",
    "packing_included",
    "valid_until",
    "show_prices",
    "notes",
)


@transaction.atomic
def update_offer_terms(
    *, offer: Offer, acting_user: User, expected_version: int | None = None, **values: Any
) -> Offer:
    """Step 3. An offer-wide VAT (e.g. not taxable for export) replaces each line's own.

    ``expected_version`` is the draft's version when the form was opened: a draft changed
    since then by someone else is not overwritten.
    """
    access.check_may_sell(acting_user)
    locked = _locked_offer(offer)
    _require_draft(locked)
    locking.check(locked, expected_version, error=OfferError)
    unknown = set(values) - set(TERM_FIELDS)
    if unknown:
        raise ValueError(f"not offer terms: {sorted(unknown)}")
    for name, value in values.items():
        setattr(locked, name, value)
    if locked.billing_site and locked.billing_site.customer_id != locked.billing_customer_id:
        raise OfferError(_("The billing site must belong to the billing customer."))
    if locked.billing_contact and locked.billing_contact.customer_id != locked.billing_customer_id:
        raise OfferError(_("The billing contact must belong to the billing customer."))
    locked.save()
    if locked.vat_rate is not None:
        locked.lines.update(vat_rate=locked.vat_rate, vat_percent=locked.vat_rate.rate)
    else:
        for line in locked.lines.select_related("spare_part__vat_rate"):
            if line.spare_part is not None:
                line.vat_rate = line.spare_part.vat_rate
                line.vat_percent = line.spare_part.vat_rate.rate
                line.save(update_fields=["vat_rate", "vat_percent"])
    return locked


# --- Issuing and deciding -------------------------------------------------------------------
@transaction.atomic
def send_offer(*, offer: Offer, acting_user: User) -> Offer:
    """Freeze the offer and queue the e-mail with the PDF to the contact after the commit."""
    from orders.tasks import send_offer_email

    access.check_may_sell(acting_user)
    offer = _locked_offer(offer)
    _require_draft(offer)
    if not offer.lines.exists():
        raise OfferError(_("Add at least one spare part before sending the offer."))
    if not offer.contact.email:
        raise OfferError(
            _("Contact %(name)s has no e-mail address: add one before sending.")
            % {"name": offer.contact.name}
        )
    if offer.valid_until and offer.valid_until < timezone.localdate():
        raise OfferError(_("The validity date is in the past: change it before sending."))
    with translation.override(offer.customer.language or None):  # the document's language
        parties.freeze(offer)
    offer.sent_at = timezone.now()
    offer.save(update_fields=["issued_parties", "sent_at", "updated_at", "version"])
    _set_offer_state(offer, OfferState.SENT, user=acting_user, reason=offer.contact.email)
    enqueue_after_commit(send_offer_email, offer.pk)
    return offer


@transaction.atomic
def resend_offer(*, offer: Offer, acting_user: User) -> Offer:
    """Queue the same frozen offer again (the first e-mail bounced or was lost)."""
    from orders.tasks import send_offer_email

    access.check_may_sell(acting_user)
    offer = _locked_offer(offer)
    if offer.state != OfferState.SENT:
        raise OfferError(_("Only a sent offer that awaits an answer can be sent again."))
    history.record(
        OfferStateChange,
        offer,
        from_state=offer.state,
        to_state=offer.state,
        by=acting_user,
        reason=_("e-mail sent again to %(email)s") % {"email": offer.contact.email},
    )
    enqueue_after_commit(send_offer_email, offer.pk)
    return offer


@transaction.atomic
def revise_offer(*, offer: Offer, acting_user: User) -> Offer:
    """A sent offer is never edited: its copy becomes a new draft revision with the same code."""
    access.check_may_sell(acting_user)
    old = _locked_offer(offer)
    if OfferState.SUPERSEDED not in OFFER_TRANSITIONS[old.state]:
        raise OfferError(
            _("An offer that is %(state)s cannot be revised.") % {"state": old.get_state_display()}
        )
    lines = list(old.lines.all())
    _set_offer_state(old, OfferState.SUPERSEDED, user=acting_user)
    new = Offer.objects.get(pk=old.pk)
    new.pk = None
    new.revision = old.revision + 1
    new.previous_revision = old
    new.state = OfferState.DRAFT
    new.sent_at = new.decided_at = None
    new.decided_by_name = new.decision_channel = new.decision_reason = ""
    new.issued_parties = {}
    new.created_by = acting_user
    if new.valid_until and new.valid_until < timezone.localdate():
        new.valid_until = timezone.localdate() + datetime.timedelta(days=DEFAULT_VALIDITY_DAYS)
    new.save(force_insert=True)
    for line in lines:
        line.pk = None
        line.offer = new
    OfferLine.objects.bulk_create(lines)
    history.record(
        OfferStateChange, new, to_state=OfferState.DRAFT, by=acting_user, reason=old.display_code
    )
    return new


@transaction.atomic
def _decide(
    *,
    offer: Offer,
    accept: bool,
    name: str,
    channel: str,
    acting_user: User | None,
    reason: str = "",
) -> Offer:
    from orders.tasks import send_offer_decision_email

    if channel not in DECISION_CHANNELS:
        raise ValueError(channel)
    if channel != "link":
        access.check_may_sell(acting_user)
    name, reason = name.strip(), reason.strip()
    if not name:
        raise OfferError(_("Enter the name of the person who decided."))
    # The lock makes two acceptances of the same offer (a double click, two browser tabs) wait
    # for each other: the second one finds it accepted and is refused, so one order is made.
    offer = _locked_offer(offer)
    if offer.state == OfferState.SUPERSEDED:
        raise OfferError(_("This offer has been replaced by a newer revision."))
    if offer.state != OfferState.SENT:
        raise OfferError(
            _("This offer is already %(state)s.") % {"state": offer.get_state_display()}
        )
    if offer.valid_until and offer.valid_until < timezone.localdate():
        raise _Expired(offer)
    if not accept and not reason:
        raise OfferError(_("Tell us why the offer is declined."))
    offer.decided_at = timezone.now()
    offer.decided_by_name = name
    offer.decision_channel = channel
    offer.decision_reason = "" if accept else reason
    offer.save(
        update_fields=[
            "decided_at",
            "decided_by_name",
            "decision_channel",
            "decision_reason",
            "updated_at",
            "version",
        ]
    )
    _set_offer_state(
        offer,
        OfferState.ACCEPTED if accept else OfferState.DECLINED,
        user=acting_user,
        by_name=name,
        reason=channel if accept else f"{channel}: {reason}",
    )
    if accept:
        # The order exists from the moment the customer says yes (with this revision's lines);
        # recorded under the offer's author when the customer answered through the link.
        _create_order(offer, created_by=acting_user or offer.created_by, by_name=name)
    enqueue_after_commit(send_offer_decision_email, offer.pk)
    return offer


class _Expired(OfferError):
    def __init__(self, offer: Offer) -> None:
        super().__init__(_("This offer expired on %(date)s.") % {"date": offer.valid_until})


def record_decision(
    *,
    offer: Offer,
    accept: bool,
    name: str,
    channel: str,
    acting_user: User | None = None,
    reason: str = "",
) -> Offer:
    """The customer's answer: through the signed link (no user) or recorded by the office.

    An acceptance creates the order at once; a refusal needs its ``reason``. Either way the
    offer's author and the operators are told by e-mail after the commit (and the dashboard
    lists the recent answers). An offer past its validity date is marked expired (in its own
    transaction, so the refusal does not roll it back) and the decision is refused.
    """
    try:
        return _decide(
            offer=offer,
            accept=accept,
            name=name,
            channel=channel,
            acting_user=acting_user,
            reason=reason,
        )
    except _Expired as expired:
        with transaction.atomic():
            locked = _locked_offer(offer)
            if locked.state == OfferState.SENT:
                _set_offer_state(locked, OfferState.EXPIRED, reason=_("validity date passed"))
        raise OfferError(str(expired)) from None


@transaction.atomic
def cancel_offer(*, offer: Offer, acting_user: User) -> Offer:
    access.check_may_sell(acting_user)
    offer = _locked_offer(offer)
    _set_offer_state(offer, OfferState.CANCELLED, user=acting_user)
    return offer


# --- Orders ---------------------------------------------------------------------------------
_COPIED = (
    "code",
    "customer_id",
    "site_id",
    "contact_id",
    "unit_id",
    "billing_customer_id",
    "billing_site_id",
    "billing_contact_id",
    "delivery_days",
    "payment_method_id",
    "vat_rate_id",
    "delivery_term_id",
    "transport_id",
    "packing_included",
    "notes",
    "show_prices",
    "language",
    "issued_parties",
)
_LINE_COPIED = (
    "position",
    "spare_part_id",
    "code",
    "description",
    "unit_of_measure",
    "quantity",
    "unit_price",
    "discount_percent",
    "vat_rate_id",
    "vat_percent",
)


@transaction.atomic
def convert_to_order(*, offer: Offer, acting_user: User) -> Order:
    """The order of an accepted offer: the one made when it was accepted, or (an offer accepted
    before orders were made at once) a new one with the offer's code. Never two."""
    access.check_may_sell(acting_user)
    offer = _locked_offer(offer)
    if offer.state != OfferState.ACCEPTED:
        raise OfferError(_("Only an accepted offer can be converted into an order."))
    existing = Order.objects.filter(offer=offer).first()
    if existing is not None:
        return existing
    return _create_order(offer, created_by=acting_user, by_name="")


def _create_order(offer: Offer, *, created_by: User, by_name: str) -> Order:
    """Copy the accepted (locked) offer into its order; ``Order.offer`` is unique, the last
    line of defence against a second one."""
    order = Order.objects.create(
        offer=offer,
        created_by=created_by,
        **{name: getattr(offer, name) for name in _COPIED},
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, **{name: getattr(line, name) for name in _LINE_COPIED})
        for line in offer.lines.all()
    )
    history.record(
        OrderStateChange,
        order,
        to_state=OrderState.CONFIRMED,
        by=None if by_name else created_by,
        by_name=by_name,
        reason=offer.display_code,
    )
    emit("order.accepted", order, payloads.order_payload(order))
    # The customer gets the order confirmation (PDF) once the acceptance is committed.
    from orders.tasks import send_order_confirmation

    enqueue_after_commit(send_order_confirmation, order.pk)
    return order


@transaction.atomic
def set_order_state(*, order: Order, to_state: str, acting_user: User, reason: str = "") -> Order:
    """The office's changes of an order's state: delivered or cancelled. Shipped and partly
    shipped follow the delivery notes (``orders.shipping``), never a click."""
    access.check_may_sell(acting_user)
    if to_state in (OrderState.SHIPPED, OrderState.PARTLY_SHIPPED):
        raise OfferError(_("An order is shipped by recording a shipment with its delivery note."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    history.apply(
        order,
        to_state,
        history=OrderStateChange,
        by=acting_user,
        reason=reason,
        allowed=ORDER_TRANSITIONS,
        refused=_order_refused,
        fields=["version"],
    )
    emit("order.changed", order, payloads.order_payload(order))
    return order


def expire_offers(today: datetime.date | None = None) -> str:
    """Mark the sent offers past their validity date expired (the scheduled job
    ``offer_expiry``); a customer's late answer is refused either way (``decide``)."""
    today = today or timezone.localdate()
    expired = 0
    pks = list(
        Offer.objects.filter(state=OfferState.SENT, valid_until__lt=today).values_list(
            "pk", flat=True
        )
    )
    for pk in pks:
        with transaction.atomic():
            locked = Offer.objects.select_for_update().get(pk=pk)
            if locked.state != OfferState.SENT:
                continue  # answered meanwhile
            _set_offer_state(locked, OfferState.EXPIRED, reason=_("validity date passed"))
            expired += 1
    return f"{expired} offer(s) expired"
