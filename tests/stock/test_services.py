"""Every kind of stock move, the negative-stock setting, and moves that are never changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from stock.models import FrozenMove, MoveKind, StockLevel, StockMove, Warehouse
from stock.services import StockError, confirm_restock, record_move, restock_proposal
from tests.orders.factories import make_part
from tests.stock.factories import level, make_central, make_van, receive

pytestmark = pytest.mark.django_db


def test_a_receipt_brings_parts_into_a_warehouse(operator):
    central, part = make_central(), make_part("PUMP-1")
    recorded = record_move(
        kind=MoveKind.RECEIPT,
        spare_part=part,
        quantity=Decimal("5"),
        to_warehouse=central,
        reference="DDT 12",
        acting_user=operator,
    )
    assert recorded.created
    assert level(central, part) == 5
    assert recorded.move.created_by == operator
    assert recorded.move.reference == "DDT 12"


def test_a_transfer_moves_from_one_warehouse_to_another(technician):
    central, van, part = make_central(), make_van(technician), make_part()
    receive(central, part, "10")
    record_move(
        kind=MoveKind.TRANSFER,
        spare_part=part,
        quantity=Decimal("4"),
        from_warehouse=central,
        to_warehouse=van,
    )
    assert (level(central, part), level(van, part)) == (6, 4)


def test_consumption_and_return(technician):
    van, part = make_van(technician), make_part()
    receive(van, part, "2")
    used = record_move(
        kind=MoveKind.CONSUMPTION, spare_part=part, quantity=Decimal("1"), from_warehouse=van
    ).move
    assert level(van, part) == 1
    back = record_move(
        kind=MoveKind.RETURN,
        spare_part=part,
        quantity=Decimal("1"),
        to_warehouse=van,
        reverses=used,
    ).move
    assert level(van, part) == 2
    assert back.reverses == used


def test_an_adjustment_needs_a_reason_and_goes_either_way():
    central, part = make_central(), make_part()
    receive(central, part, "3")
    with pytest.raises(StockError, match="reason"):
        record_move(
            kind=MoveKind.ADJUSTMENT, spare_part=part, quantity=Decimal("1"), to_warehouse=central
        )
    record_move(
        kind=MoveKind.ADJUSTMENT,
        spare_part=part,
        quantity=Decimal("1"),
        from_warehouse=central,
        reason="Broken in the warehouse",
    )
    record_move(
        kind=MoveKind.ADJUSTMENT,
        spare_part=part,
        quantity=Decimal("0.5"),
        to_warehouse=central,
        reason="Found at inventory",
    )
    assert level(central, part) == Decimal("2.5")


@pytest.mark.parametrize(
    ("kind", "source", "destination", "message"),
    [
        (MoveKind.RECEIPT, True, False, "takes parts from no warehouse"),
        (MoveKind.TRANSFER, True, False, "go to"),
        (MoveKind.CONSUMPTION, False, True, "leave"),
        (MoveKind.ADJUSTMENT, True, True, "one warehouse"),
    ],
)
def test_a_move_must_name_the_warehouses_its_kind_needs(kind, source, destination, message):
    central, other, part = make_central(), make_central("BRANCH"), make_part()
    with pytest.raises(StockError, match=message):
        record_move(
            kind=kind,
            spare_part=part,
            quantity=Decimal("1"),
            from_warehouse=central if source else None,
            to_warehouse=other if destination else None,
            reason="x",
        )
    assert not StockMove.objects.exists()


@pytest.mark.parametrize("quantity", ["0", "-1", "0.0001", "99999999"])
def test_absurd_quantities_are_refused(quantity):
    with pytest.raises(StockError):
        record_move(
            kind=MoveKind.RECEIPT,
            spare_part=make_part(),
            quantity=Decimal(quantity),
            to_warehouse=make_central(),
        )
    assert not StockMove.objects.exists()


def test_taking_more_than_there_is_is_refused_with_what_is_left(technician):
    van, part = make_van(technician), make_part("FILTER-9")
    receive(van, part, "1")
    with pytest.raises(StockError) as refused:
        record_move(
            kind=MoveKind.CONSUMPTION, spare_part=part, quantity=Decimal("3"), from_warehouse=van
        )
    assert "FILTER-9" in refused.value.message
    assert "1 in stock, 3 requested" in refused.value.message
    assert level(van, part) == 1
    assert StockMove.objects.count() == 1  # only the receipt


def test_negative_stock_when_the_setting_allows_it(technician, settings):
    settings.STOCK_ALLOW_NEGATIVE = True
    van, part = make_van(technician), make_part()
    record_move(
        kind=MoveKind.CONSUMPTION, spare_part=part, quantity=Decimal("2"), from_warehouse=van
    )
    assert level(van, part) == -2


def test_a_closed_warehouse_takes_no_moves():
    central = make_central()
    Warehouse.objects.filter(pk=central.pk).update(is_active=False)
    central.refresh_from_db()
    with pytest.raises(StockError, match="closed"):
        receive(central, make_part(), "1")


def test_a_move_is_never_changed_or_deleted():
    central, part = make_central(), make_part()
    receive(central, part, "1")
    move = StockMove.objects.get()
    move.quantity = Decimal("100")
    with pytest.raises(FrozenMove):
        move.save()
    with pytest.raises(FrozenMove):
        move.delete()
    move.refresh_from_db()
    assert move.quantity == 1


def test_the_same_erp_reference_records_the_move_once():
    central, part = make_central(), make_part()
    fields = {
        "kind": MoveKind.RECEIPT,
        "spare_part": part,
        "quantity": Decimal("5"),
        "to_warehouse": central,
        "external_reference": "ERP-77",
    }
    first = record_move(**fields)
    again = record_move(**fields)
    assert first.created and not again.created
    assert again.move == first.move
    assert level(central, part) == 5


def test_levels_always_equal_the_sum_of_the_moves(technician):
    central, van, part = make_central(), make_van(technician), make_part()
    receive(central, part, "10")
    for quantity in ("3", "2"):
        record_move(
            kind=MoveKind.TRANSFER,
            spare_part=part,
            quantity=Decimal(quantity),
            from_warehouse=central,
            to_warehouse=van,
        )
    record_move(
        kind=MoveKind.CONSUMPTION, spare_part=part, quantity=Decimal("1"), from_warehouse=van
    )
    for warehouse in (central, van):
        into = StockMove.objects.filter(to_warehouse=warehouse).aggregate(s=Sum("quantity"))["s"]
        out = StockMove.objects.filter(from_warehouse=warehouse).aggregate(s=Sum("quantity"))["s"]
        assert level(warehouse, part) == (into or 0) - (out or 0)


def test_restock_proposal_brings_parts_below_minimum_up_to_maximum(technician, operator):
    central, van = make_central(), make_van(technician)
    low, fine = make_part("LOW"), make_part("FINE")
    receive(central, low, "20")
    receive(van, low, "1")
    receive(van, fine, "5")
    StockLevel.objects.filter(warehouse=van).update(minimum=2, maximum=6)
    lines = restock_proposal(van=van, source=central)
    assert [(line.level.spare_part.code, line.proposed, line.available) for line in lines] == [
        ("LOW", 5, 20)
    ]
    moves = confirm_restock(
        van=van, source=central, quantities={low.pk: Decimal("5")}, acting_user=operator
    )
    assert [m.kind for m in moves] == [MoveKind.TRANSFER]
    assert (level(van, low), level(central, low)) == (6, 15)
    assert restock_proposal(van=van, source=central) == []


def test_restock_is_all_or_nothing(technician, operator):
    central, van = make_central(), make_van(technician)
    a, b = make_part("A"), make_part("B")
    receive(central, a, "5")  # none of B in the central warehouse
    with pytest.raises(StockError, match="Not enough"):
        confirm_restock(
            van=van,
            source=central,
            quantities={a.pk: Decimal("2"), b.pk: Decimal("2")},
            acting_user=operator,
        )
    assert level(van, a) == 0
    assert StockMove.objects.count() == 1


def test_a_technician_cannot_confirm_a_restock(technician):
    from django.core.exceptions import PermissionDenied

    central, van, part = make_central(), make_van(technician), make_part()
    receive(central, part, "5")
    with pytest.raises(PermissionDenied):
        confirm_restock(
            van=van, source=central, quantities={part.pk: Decimal("1")}, acting_user=technician
        )
