"""The ERP reads warehouses, levels, moves and parts used, and records stock moves once per
its own reference (issue 23), each with its scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.models import Scope
from calls.models import State
from calls.services import actuals
from stock.models import MoveKind, StockMove
from tests.calls.factories import make_intervention, plan_with_visit
from tests.orders.factories import make_part
from tests.stock.factories import level, make_central, make_van, receive

pytestmark = pytest.mark.django_db
URL = "/api/v1/stock-moves/by-reference/{}/"


@pytest.fixture
def central():
    return make_central("MAIN")


def _receipt(**fields):
    return {
        "kind": "receipt",
        "part_code": "PUMP-1",
        "quantity": "5",
        "to_warehouse": "MAIN",
        **fields,
    }


def test_a_receipt_sent_twice_is_recorded_once(api, central):
    part = make_part("PUMP-1")
    first = api.put(URL.format("ERP-1"), _receipt(), format="json")
    assert first.status_code == 201, first.content
    assert first["X-Upsert-Action"] == "created"
    again = api.put(URL.format("ERP-1"), _receipt(), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert level(central, part) == 5
    assert StockMove.objects.count() == 1
    assert api.get(URL.format("ERP-1")).json()["quantity"] == "5.000"


def test_a_different_move_under_a_used_reference_is_a_conflict(api, central):
    part = make_part("PUMP-1")
    api.put(URL.format("ERP-2"), _receipt(), format="json")
    response = api.put(URL.format("ERP-2"), _receipt(quantity="6"), format="json")
    assert response.status_code == 409
    assert level(central, part) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_receipt(part_code="NOPE"), "part_code"),
        (_receipt(to_warehouse="NOWHERE"), "to_warehouse"),
        (_receipt(quantity="0"), "quantity"),
        (_receipt(kind="consumption"), "kind"),
        (_receipt(kind="transfer", from_warehouse="MAIN", to_warehouse=None), "to_warehouse"),
        (_receipt(kind="adjustment"), "reason"),
    ],
)
def test_refusals_name_the_field_and_record_nothing(api, central, body, field):
    make_part("PUMP-1")
    response = api.put(URL.format("ERP-3"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not StockMove.objects.exists()


def test_taking_more_than_there_is_is_refused(api, central, technician):
    make_part("PUMP-1")
    make_van(technician, "VAN-1")
    body = {
        "kind": "transfer",
        "part_code": "PUMP-1",
        "quantity": "1",
        "from_warehouse": "MAIN",
        "to_warehouse": "VAN-1",
    }
    response = api.put(URL.format("ERP-4"), body, format="json")
    assert response.status_code == 400
    assert "Not enough" in str(response.json())


def test_writing_needs_the_stock_write_scope(api_for, central):
    make_part("PUMP-1")
    reader = api_for(Scope.STOCK_READ)
    assert reader.put(URL.format("ERP-5"), _receipt(), format="json").status_code == 403
    assert reader.get("/api/v1/stock-moves/").status_code == 200
    assert api_for(Scope.CATALOGUE_READ).get("/api/v1/stock-levels/").status_code == 403
    assert api_for(Scope.CATALOGUE_READ).get("/api/v1/warehouses/").status_code == 403
    assert not StockMove.objects.exists()


def test_levels_are_read_per_warehouse_and_part(api_for, central, technician):
    part = make_part("PUMP-1")
    van = make_van(technician, "VAN-1")
    receive(central, part, "7")
    receive(van, part, "2")
    reader = api_for(Scope.STOCK_READ)
    rows = reader.get("/api/v1/stock-levels/", {"warehouse": "MAIN"}).json()["results"]
    assert [(r["warehouse"], r["part_code"], r["quantity"]) for r in rows] == [
        ("MAIN", "PUMP-1", "7.000")
    ]
    rows = reader.get("/api/v1/stock-levels/", {"part_code": "pump-1"}).json()["results"]
    assert {r["warehouse"] for r in rows} == {"MAIN", "VAN-1"}
    warehouses = reader.get("/api/v1/warehouses/").json()["results"]
    assert {(w["code"], w["technician"]) for w in warehouses} == {
        ("MAIN", None),
        ("VAN-1", technician.username),
    }


def test_parts_used_per_intervention(api_for, technician, operator):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    plan_with_visit(intervention, operator)
    van, part = make_van(technician, "VAN-1"), make_part("PUMP-1")
    receive(van, part, "3")
    actuals.add_part(
        intervention=intervention, acting_user=technician, spare_part=part, quantity=Decimal("2")
    )
    url = f"/api/v1/interventions/{intervention.pk}/parts-used/"
    assert api_for(Scope.STOCK_READ).get(url).status_code == 403
    rows = api_for(Scope.CALLS_READ).get(url).json()
    assert [(r["part_code"], r["quantity"], r["warehouse"]) for r in rows] == [
        ("PUMP-1", "2.00", "VAN-1")
    ]
    moves = api_for(Scope.STOCK_READ).get("/api/v1/stock-moves/").json()["results"]
    assert [m["kind"] for m in moves] == [MoveKind.RECEIPT, MoveKind.CONSUMPTION]
    assert moves[1]["reference"] == intervention.code
