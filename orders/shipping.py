"""Shipments of orders and their delivery notes (DDT): atomic, checked, numbered without gaps.

An order ships in one or more shipments; each takes the next number of the DDT series of its
year (``service_portal.numbering``, in the same transaction, so a refused shipment gives its
number back). The order's state follows: partly shipped while something is left, shipped when
nothing is. Every shipment and state change is an event for the ERP (``events.outbox``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from events.outbox import emit
from orders import access
from orders.models import Order, OrderLine, OrderState, OrderStateChange, Shipment, ShipmentLine
from orders.payloads import order_payload, shipment_payload
from orders.services import ORDER_TRANSITIONS, OfferError, _order_refused
from service_portal import history
from service_portal.money import plain
from service_portal.numbering import next_value

DDT_SERIES = "ddt"
SHIPPABLE = {OrderState.CONFIRMED, OrderState.PARTLY_SHIPPED}
ERP_NAME = "ERP"


class ShipmentError(OfferError):
    """A refused shipment; the message says what to correct."""


def shipped_quantities(order: Order) -> dict[int, Decimal]:
    """{order line pk: quantity shipped so far}."""
    rows = (
        ShipmentLine.objects.filter(shipment__order=order)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["order_line_id"]: row["total"] for row in rows}


def remaining(order: Order) -> dict[int, Decimal]:
    """{order line pk: quantity still to ship} for every line of the order."""
    shipped = shipped_quantities(order)
    return {line.pk: line.quantity - shipped.get(line.pk, Decimal(0)) for line in order.lines.all()}


def _set_state(order: Order, to_state: str, *, user: Any, by_name: str, reason: str) -> None:
    history.apply(
        order,
        to_state,
        history=OrderStateChange,
        by=user,
        by_name=by_name,
        reason=reason,
        allowed=ORDER_TRANSITIONS,
        refused=_order_refused,
        fields=["version"],
    )
    emit("order.changed", order, order_payload(order))


@transaction.atomic
def create_shipment(
    *,
    order: Order,
    quantities: Mapping[int, Decimal],
    date: datetime.date,
    carrier: str,
    packages: int,
    notes: str = "",
    acting_user: Any = None,
    erp_reference: str | None = None,
) -> Shipment:
    """Ship ``quantities`` ({order line pk: quantity}) of ``order``: a new delivery note.

    A user of the office (``acting_user``) or the ERP through the API (``erp_reference``).
    Refused, with nothing written: an order that is not confirmed or partly shipped, no goods,
    a quantity not more than 0 or more than is left, a line of another order, no carrier, no
    packages, a date in the future.
    """
    if erp_reference is None:
        access.check_may_sell(acting_user)
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.state not in SHIPPABLE:
        raise ShipmentError(
            _("An order that is %(state)s cannot be shipped.")
            % {"state": locked.get_state_display()}
        )
    carrier = carrier.strip()
    if not carrier:
        raise ShipmentError(_("Enter the carrier."), field="carrier")
    if not packages or packages < 1:
        raise ShipmentError(_("Enter the number of packages (at least 1)."), field="packages")
    if date > timezone.localdate():
        raise ShipmentError(_("A delivery note cannot be dated in the future."), field="date")
    left = remaining(locked)
    goods = {pk: qty for pk, qty in quantities.items() if qty}
    if not goods:
        raise ShipmentError(_("Enter the quantity of at least one line to ship."))
    lines = {line.pk: line for line in OrderLine.objects.filter(order=locked)}
    for pk, quantity in goods.items():
        if pk not in lines:
            raise ShipmentError(_("This line is not one of the order's lines."))
        if quantity < 0:
            raise ShipmentError(_("The quantity must be more than 0."))
        if quantity > left[pk]:
            raise ShipmentError(
                _("Only %(left)s of %(code)s are left to ship.")
                % {"left": plain(left[pk]), "code": lines[pk].code}
            )
    year, number = next_value(DDT_SERIES, date.year)
    shipment = Shipment.objects.create(
        order=locked,
        year=year,
        number=number,
        date=date,
        carrier=carrier[:150],
        packages=packages,
        notes=notes.strip()[:500],
        erp_reference=erp_reference,
        created_by=acting_user,
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line=lines[pk], quantity=quantity)
        for pk, quantity in goods.items()
    )
    done = all(left[pk] - goods.get(pk, Decimal(0)) <= 0 for pk in left)
    to_state = OrderState.SHIPPED if done else OrderState.PARTLY_SHIPPED
    if to_state != locked.state:
        _set_state(
            locked,
            to_state,
            user=acting_user,
            by_name="" if acting_user else ERP_NAME,
            reason=_("delivery note %(ddt)s") % {"ddt": shipment.ddt_code},
        )
    emit("order.shipped", shipment, shipment_payload(shipment))
    return shipment


# What the ERP may set on its own; shipped and partly shipped follow the shipments.
ERP_STATES = {OrderState.DELIVERED, OrderState.CANCELLED}


@transaction.atomic
def set_state_from_erp(*, order: Order, to_state: str, reason: str = "") -> tuple[Order, bool]:
    """The ERP says the order was delivered or cancelled. Idempotent: the state it already has
    answers (order, False); a change the map refuses raises ``ShipmentError``."""
    if to_state not in ERP_STATES:
        raise ShipmentError(
            _("The ERP may set an order delivered or cancelled; shipments set the rest."),
            field="state",
        )
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.state == to_state:
        return locked, False
    if to_state == OrderState.CANCELLED and locked.shipments.exists():
        raise ShipmentError(_("An order with shipments cannot be cancelled."), field="state")
    try:
        _set_state(locked, to_state, user=None, by_name=ERP_NAME, reason=reason.strip()[:500])
    except OfferError as refused:  # the map's refusal (delivered before any shipment): a 400
        raise ShipmentError(refused.message, field="state") from None
    return locked, True
