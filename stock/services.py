"""Every change of stock: ``record_move`` is the one function that writes a move and keeps the
levels in the same transaction (an event for the ERP hooks on it, in one place).

Levels are locked with ``select_for_update`` in a fixed order (by primary key) before they are
read, so two moves of the same part never lose one another's quantity and two transfers in
opposite directions never deadlock. A move that would take a level below zero is refused with
a translated message, unless ``settings.STOCK_ALLOW_NEGATIVE`` is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from events.outbox import emit
from orders.models import SparePart
from service_portal.errors import DomainError
from service_portal.money import plain
from stock import access
from stock.models import MOVE_SHAPES, MoveKind, StockLevel, StockMove, Warehouse, WarehouseKind

MAX_QUANTITY = Decimal("1000000")


class StockError(DomainError):
    """A move refused for the stock itself: not enough, a wrong warehouse, a bad quantity."""


def _check_shape(
    kind: str, from_warehouse: Warehouse | None, to_warehouse: Warehouse | None, reason: str
) -> None:
    if kind not in MoveKind.values:
        raise StockError(_("Unknown kind of stock move."), field="kind")
    if kind == MoveKind.ADJUSTMENT:
        if (from_warehouse is None) == (to_warehouse is None):
            raise StockError(_("An adjustment changes the stock of one warehouse."))
        if not reason.strip():
            raise StockError(_("Give the reason of the adjustment."), field="reason")
        return
    needs_from, needs_to = MOVE_SHAPES[kind]
    if needs_from != (from_warehouse is not None):
        message = (
            _("Choose the warehouse the parts leave.")
            if needs_from
            else _("This kind of move takes parts from no warehouse.")
        )
        raise StockError(message, field="from_warehouse")
    if needs_to != (to_warehouse is not None):
        message = (
            _("Choose the warehouse the parts go to.")
            if needs_to
            else _("This kind of move brings parts to no warehouse.")
        )
        raise StockError(message, field="to_warehouse")
    if from_warehouse is not None and from_warehouse == to_warehouse:
        raise StockError(_("A transfer goes to another warehouse."), field="to_warehouse")


def _locked_levels(part: SparePart, warehouses: list[Warehouse]) -> dict[int, StockLevel]:
    """The level rows of ``part`` in ``warehouses``, created if missing, locked in pk order."""
    ids = sorted({w.pk for w in warehouses})
    # Missing rows are made first (a concurrent maker is harmless: the unique constraint and
    # ignore_conflicts keep one row), then every row is locked and read afresh.
    StockLevel.objects.bulk_create(
        [StockLevel(warehouse_id=pk, spare_part=part) for pk in ids], ignore_conflicts=True
    )
    rows = (
        StockLevel.objects.select_for_update()
        .filter(spare_part=part, warehouse_id__in=ids)
        .order_by("pk")
    )
    return {row.warehouse_id: row for row in rows}


@dataclass(frozen=True)
class Recorded:
    move: StockMove
    created: bool  # False: the ERP's reference was already recorded, nothing changed


@transaction.atomic
def record_move(
    *,
    kind: str,
    spare_part: SparePart,
    quantity: Decimal,
    from_warehouse: Warehouse | None = None,
    to_warehouse: Warehouse | None = None,
    reason: str = "",
    reference: str = "",
    external_reference: str | None = None,
    reverses: StockMove | None = None,
    acting_user: Any = None,
) -> Recorded:
    """Record one stock move and change the levels it touches, in one transaction.

    The only writer of ``StockMove``. Refuses a quantity that is not positive, a move whose
    warehouses do not fit its kind, an inactive warehouse, and (unless negative stock is
    allowed) taking more than the source holds. With ``external_reference`` the move is
    recorded once: the same reference again returns the first move, unchanged.
    """
    if external_reference:
        earlier = StockMove.objects.filter(external_reference=external_reference).first()
        if earlier is not None:
            return Recorded(earlier, created=False)
    if quantity is None or quantity <= 0:
        raise StockError(_("The quantity must be more than 0."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise StockError(_("The quantity is too large."), field="quantity")
    if quantity != quantity.quantize(Decimal("0.001")):
        raise StockError(_("The quantity has at most three decimals."), field="quantity")
    _check_shape(kind, from_warehouse, to_warehouse, reason)
    for warehouse in (from_warehouse, to_warehouse):
        if warehouse is not None and not warehouse.is_active:
            raise StockError(_("The warehouse “%(code)s” is closed.") % {"code": warehouse.code})
    touched = [w for w in (from_warehouse, to_warehouse) if w is not None]
    levels = _locked_levels(spare_part, touched)
    if from_warehouse is not None:
        held = levels[from_warehouse.pk].quantity
        if held < quantity and not settings.STOCK_ALLOW_NEGATIVE:
            raise StockError(
                _(
                    "Not enough “%(code)s” in %(warehouse)s: %(held)s in stock, "
                    "%(wanted)s requested."
                )
                % {
                    "code": spare_part.code,
                    "warehouse": from_warehouse.name,
                    "held": plain(held),
                    "wanted": plain(quantity),
                },
                field="quantity",
            )
        StockLevel.objects.filter(pk=levels[from_warehouse.pk].pk).update(
            quantity=F("quantity") - quantity
        )
    if to_warehouse is not None:
        StockLevel.objects.filter(pk=levels[to_warehouse.pk].pk).update(
            quantity=F("quantity") + quantity
        )
    move = StockMove(
        kind=kind,
        spare_part=spare_part,
        quantity=quantity,
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        reason=reason.strip()[:200],
        reference=reference.strip()[:60],
        external_reference=external_reference or None,
        reverses=reverses,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            move.save()
    except IntegrityError:
        # The same ERP reference arrived twice at once: the other request recorded it.
        if external_reference:
            transaction.set_rollback(True)
            earlier = StockMove.objects.filter(external_reference=external_reference).first()
            if earlier is not None:
                return Recorded(earlier, created=False)
        raise
    _emit_move(move)
    return Recorded(move, created=True)


# The ERP hears of every move (docs/integration.md): a consumption or a return on an intervention
# as part.consumed / part.returned, every other move as stock.moved.
EVENT_OF_KIND: dict[str, str] = {
    MoveKind.CONSUMPTION: "part.consumed",
    MoveKind.RETURN: "part.returned",
}


def _emit_move(move: StockMove) -> None:
    emit(
        EVENT_OF_KIND.get(move.kind, "stock.moved"),
        move,
        {
            "move": {
                "id": move.pk,
                "kind": move.kind,
                "quantity": move.quantity,
                "reference": move.reference,
                "external_reference": move.external_reference,
                "reason": move.reason,
                "reverses": move.reverses_id,
            },
            "spare_part": {"id": move.spare_part_id, "code": move.spare_part.code},
            "from_warehouse": move.from_warehouse.code if move.from_warehouse else None,
            "to_warehouse": move.to_warehouse.code if move.to_warehouse else None,
        },
    )


# --- Parts used on an intervention ------------------------------------------------------------
def van_of(technician_id: int | None) -> Warehouse | None:
    """The active van of this technician, if they have one."""
    if technician_id is None:
        return None
    return Warehouse.objects.filter(
        technician_id=technician_id, kind=WarehouseKind.VAN, is_active=True
    ).first()


def consume(
    *,
    spare_part: SparePart,
    quantity: Decimal,
    warehouse: Warehouse,
    reference: str,
    acting_user: Any,
) -> StockMove:
    """Take a part used on an intervention out of ``warehouse`` (``calls`` checks who records
    it, within its own transaction)."""
    return record_move(
        kind=MoveKind.CONSUMPTION,
        spare_part=spare_part,
        quantity=quantity,
        from_warehouse=warehouse,
        reference=reference,
        acting_user=acting_user,
    ).move


def give_back(*, consumption: StockMove, acting_user: Any) -> StockMove:
    """A part used was removed from an intervention: it returns to where it was taken from."""
    return record_move(
        kind=MoveKind.RETURN,
        spare_part=consumption.spare_part,
        quantity=consumption.quantity,
        to_warehouse=consumption.from_warehouse,
        reference=consumption.reference,
        reverses=consumption,
        acting_user=acting_user,
    ).move


# --- Van restock --------------------------------------------------------------------------------
@dataclass
class RestockLine:
    level: StockLevel
    proposed: Decimal
    available: Decimal  # in the source warehouse


def central_warehouse() -> Warehouse | None:
    return (
        Warehouse.objects.filter(kind=WarehouseKind.CENTRAL, is_active=True).order_by("pk").first()
    )


RESTOCK_LIMIT = 200  # lines in one proposal: a van holds a few hundred part codes at most


def restock_proposal(*, van: Warehouse, source: Warehouse) -> list[RestockLine]:
    """What to bring into ``van``: every part below its minimum, up to its maximum (or the
    minimum when no maximum is set), with what ``source`` holds of it. Two queries."""
    levels = list(
        StockLevel.objects.filter(warehouse=van, quantity__lt=F("minimum"))
        .select_related("spare_part")
        .order_by("spare_part__code")[:RESTOCK_LIMIT]
    )
    # No ordering: the model's default (warehouse, then part code) would join every part and
    # warehouse to sort a dictionary's rows (a scan of the whole catalogue at 200,000 parts).
    held = dict(
        StockLevel.objects.filter(
            warehouse=source, spare_part_id__in=[lv.spare_part_id for lv in levels]
        )
        .order_by()
        .values_list("spare_part_id", "quantity")
    )
    lines = []
    for level in levels:
        target = max(level.maximum, level.minimum)
        lines.append(
            RestockLine(
                level=level,
                proposed=target - level.quantity,
                available=held.get(level.spare_part_id, Decimal("0")),
            )
        )
    return lines


@transaction.atomic
def confirm_restock(
    *,
    van: Warehouse,
    source: Warehouse,
    quantities: dict[int, Decimal],
    acting_user: Any,
) -> list[StockMove]:
    """Transfer the confirmed quantities (spare part id → quantity; zero skips a line) from
    ``source`` into ``van``: all of them or none."""
    access.check_may_manage(acting_user)
    if van.kind != WarehouseKind.VAN:
        raise StockError(_("Only a van is restocked."))
    parts = SparePart.objects.in_bulk([pk for pk, q in quantities.items() if q and q > 0])
    if not parts:
        raise StockError(_("Nothing to transfer: every quantity is 0."))
    moves = []
    for pk in sorted(parts):
        moves.append(
            record_move(
                kind=MoveKind.TRANSFER,
                spare_part=parts[pk],
                quantity=quantities[pk],
                from_warehouse=source,
                to_warehouse=van,
                reference=_("Van restock"),
                acting_user=acting_user,
            ).move
        )
    return moves


@transaction.atomic
def record_manual_move(*, acting_user: Any, **fields: Any) -> StockMove:
    """A receipt, transfer or adjustment entered by the office on the new-move page."""
    access.check_may_manage(acting_user)
    if fields.get("kind") not in (MoveKind.RECEIPT, MoveKind.TRANSFER, MoveKind.ADJUSTMENT):
        raise StockError(_("Consumptions and returns come from the parts used."), field="kind")
    return record_move(acting_user=acting_user, **fields).move
