"""Every stock move reaches the ERP as an event (docs/integration.md): a part used on an
intervention as part.consumed, its removal as part.returned, any other move as stock.moved;
a refused move leaves no event."""

from __future__ import annotations

from decimal import Decimal

import pytest

from events.models import Event
from stock.models import MoveKind
from stock.services import StockError, record_move
from tests.orders.factories import make_part
from tests.stock.factories import make_central, make_van, receive

pytestmark = pytest.mark.django_db


def _events():
    return list(Event.objects.order_by("pk").values_list("event_type", "record_type", "payload"))


def test_a_consumption_and_its_return_are_told_to_the_erp(technician):
    central, van, part = make_central(), make_van(technician), make_part("FLT-9")
    receive(central, part, "3")
    record_move(
        kind=MoveKind.TRANSFER,
        spare_part=part,
        quantity=Decimal("2"),
        from_warehouse=central,
        to_warehouse=van,
    )
    used = record_move(
        kind=MoveKind.CONSUMPTION,
        spare_part=part,
        quantity=Decimal("1"),
        from_warehouse=van,
        reference="I-2026-0042",
    ).move
    record_move(
        kind=MoveKind.RETURN,
        spare_part=part,
        quantity=Decimal("1"),
        to_warehouse=van,
        reverses=used,
    )
    kinds = [(kind, record) for kind, record, _payload in _events()]
    assert kinds == [
        ("stock.moved", "stockmove"),  # the receipt
        ("stock.moved", "stockmove"),  # the transfer to the van
        ("part.consumed", "stockmove"),
        ("part.returned", "stockmove"),
    ]
    consumed = _events()[2][2]
    assert consumed["move"]["reference"] == "I-2026-0042"
    assert consumed["move"]["quantity"] == "1.000" or Decimal(consumed["move"]["quantity"]) == 1
    assert consumed["spare_part"]["code"] == "FLT-9"
    assert consumed["from_warehouse"] == van.code and consumed["to_warehouse"] is None
    assert _events()[3][2]["move"]["reverses"] == used.pk


def test_a_refused_move_tells_nothing(technician, settings):
    settings.STOCK_ALLOW_NEGATIVE = False
    van, part = make_van(technician), make_part()
    with pytest.raises(StockError):
        record_move(
            kind=MoveKind.CONSUMPTION, spare_part=part, quantity=Decimal("1"), from_warehouse=van
        )
    assert _events() == []
