"""Stock moves written by the ERP: the move is recorded once per ERP reference.

The API's path to ``stock.services.record_move`` (the one writer of moves, so every move the
ERP sends keeps the levels and, later, raises the same event as a move made on the portal).
A repeated request with the same reference and the same content answers "unchanged"; the same
reference with different content is a conflict, never a second move.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stock import services
from stock.models import StockMove


@dataclass(frozen=True)
class Outcome:
    move: StockMove | None
    action: str  # "created", "unchanged" or "conflict"
    errors: dict[str, list[str]] | None = None


def same_move(move: StockMove, values: dict[str, Any]) -> bool:
    return (
        move.kind == values["kind"]
        and move.spare_part_id == values["spare_part"].pk
        and move.quantity == Decimal(values["quantity"])
        and move.from_warehouse_id == getattr(values.get("from_warehouse"), "pk", None)
        and move.to_warehouse_id == getattr(values.get("to_warehouse"), "pk", None)
    )


def record_erp_move(*, reference: str, values: dict[str, Any]) -> Outcome:
    """Record the move ``values`` under the ERP's ``reference`` (at most once)."""
    earlier = StockMove.objects.filter(external_reference=reference).first()
    if earlier is not None:
        return Outcome(earlier, "unchanged" if same_move(earlier, values) else "conflict")
    try:
        recorded = services.record_move(external_reference=reference, **values)
    except services.StockError as error:
        return Outcome(None, "refused", {error.field or "non_field_errors": error.messages})
    if not recorded.created:  # recorded by a request that arrived at the same moment
        action = "unchanged" if same_move(recorded.move, values) else "conflict"
        return Outcome(recorded.move, action)
    return Outcome(recorded.move, "created")
