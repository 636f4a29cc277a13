"""A part used on an intervention leaves the technician's van; removing it brings it back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from calls.models import PartUsed, State
from calls.services import CallError, actuals
from stock.models import MoveKind, StockMove
from tests.calls.factories import make_intervention, plan_with_visit
from tests.orders.factories import make_part
from tests.stock.factories import level, make_central, make_van, receive

pytestmark = pytest.mark.django_db


def _planned(technician, operator):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    plan_with_visit(intervention, operator)
    return intervention


def test_a_part_used_is_consumed_from_the_van_and_returned_when_removed(technician, operator):
    intervention = _planned(technician, operator)
    van, part = make_van(technician), make_part("PUMP-1")
    receive(van, part, "3")
    used = actuals.add_part(
        intervention=intervention, acting_user=technician, spare_part=part, quantity=Decimal("2")
    )
    assert level(van, part) == 1
    assert used.stock_move.kind == MoveKind.CONSUMPTION
    assert used.stock_move.reference == intervention.code
    actuals.remove_part(part=used, acting_user=technician)
    assert level(van, part) == 3
    back = StockMove.objects.get(kind=MoveKind.RETURN)
    assert back.reverses == used.stock_move
    assert back.to_warehouse == van


def test_not_enough_in_the_van_refuses_the_part_with_a_clear_message(technician, operator):
    intervention = _planned(technician, operator)
    van, part = make_van(technician), make_part("BELT-2")
    receive(van, part, "1")
    with pytest.raises(CallError, match="Not enough “BELT-2”"):
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            spare_part=part,
            quantity=Decimal("2"),
        )
    assert not PartUsed.objects.exists()
    assert level(van, part) == 1


def test_the_office_may_take_the_part_from_a_chosen_warehouse(technician, operator, administrator):
    intervention = _planned(technician, operator)
    central, part = make_central(), make_part()
    make_van(technician)
    receive(central, part, "4")
    actuals.add_part(
        intervention=intervention,
        acting_user=administrator,
        spare_part=part,
        quantity=Decimal("1"),
        warehouse=central,
    )
    assert level(central, part) == 3


def test_a_technician_cannot_take_from_another_technicians_van(
    technician, other_technician, operator
):
    intervention = _planned(technician, operator)
    make_van(technician)
    theirs, part = make_van(other_technician), make_part()
    receive(theirs, part, "4")
    with pytest.raises(CallError, match="your own van"):
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            spare_part=part,
            quantity=Decimal("1"),
            warehouse=theirs,
        )
    assert level(theirs, part) == 4


def test_without_a_van_no_stock_moves(technician, operator):
    intervention = _planned(technician, operator)
    used = actuals.add_part(
        intervention=intervention,
        acting_user=technician,
        spare_part=make_part(),
        quantity=Decimal("1"),
    )
    assert used.stock_move is None
    assert not StockMove.objects.exists()


def test_the_office_picks_the_warehouse_on_the_management_page(
    client_for, technician, operator, administrator
):
    import uuid

    from django.urls import reverse

    intervention = _planned(technician, operator)
    central, part = make_central(), make_part("FORM-1")
    make_van(technician)
    receive(central, part, "2")
    url = reverse("calls:part_add", args=[intervention.call_id, intervention.number])
    client_for(administrator).post(
        url,
        {
            "spare_part": part.pk,
            "quantity": "1",
            "warehouse": central.pk,
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert level(central, part) == 1
    assert PartUsed.objects.get().stock_move.from_warehouse == central
