"""What the ERP writes about orders, and the events feed: scopes, idempotency, conflicts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from api.models import Scope
from events.models import Event
from orders.models import Order, OrderState, Shipment
from tests.orders.factories import make_accepted, make_part


@pytest.fixture
def order(operator) -> Order:
    return Order.objects.get(offer=make_accepted(operator, parts=[make_part(), make_part()]))


def _body(the_order, **changes):
    body = {
        "order": the_order.pk,
        "date": timezone.localdate().isoformat(),
        "carrier": "BRT",
        "packages": 2,
        "lines": [{"order_line": line.pk, "quantity": "1"} for line in the_order.lines.all()],
    }
    return {**body, **changes}


def test_a_shipment_is_recorded_once_by_the_erps_reference(order, api_for):
    api = api_for(Scope.ORDERS_WRITE, Scope.ORDERS_READ)
    url = "/api/v1/shipments/by-reference/SHIP-1/"
    first = api.put(url, _body(order), format="json")
    assert first.status_code == 201, first.json()
    assert first["X-Upsert-Action"] == "created" and first.json()["ddt"].endswith("/00001")
    again = api.put(url, _body(order), format="json")
    assert again.status_code == 200 and again["X-Upsert-Action"] == "unchanged"
    assert again.json()["id"] == first.json()["id"] and Shipment.objects.count() == 1
    different = api.put(url, _body(order, carrier="GLS"), format="json")
    assert different.status_code == 409
    assert api.get(url).json()["carrier"] == "BRT"
    order.refresh_from_db()
    assert order.state == OrderState.SHIPPED


def test_a_shipment_beyond_the_order_is_a_400_naming_the_problem(order, api_for):
    api = api_for(Scope.ORDERS_WRITE)
    line = order.lines.first()
    body = _body(order, lines=[{"order_line": line.pk, "quantity": "99"}])
    response = api.put("/api/v1/shipments/by-reference/SHIP-2/", body, format="json")
    assert response.status_code == 400 and "left to ship" in str(response.json())
    response = api.put(
        "/api/v1/shipments/by-reference/SHIP-2/", _body(order, order=999999), format="json"
    )
    assert response.status_code == 400
    assert not Shipment.objects.exists()


def test_writes_need_orders_write_and_reading_the_feed_events_read(order, api_for):
    reader = api_for(Scope.ORDERS_READ)
    url = "/api/v1/shipments/by-reference/SHIP-3/"
    assert reader.put(url, _body(order), format="json").status_code == 403
    assert (
        reader.put(f"/api/v1/order-states/{order.pk}/", {"state": "delivered"}).status_code == 403
    )
    assert reader.get("/api/v1/events/").status_code == 403
    assert api_for(Scope.EVENTS_READ).get("/api/v1/events/").status_code == 200


def test_the_erp_sets_an_order_delivered_idempotently(order, api_for):
    api = api_for(Scope.ORDERS_WRITE)
    url = f"/api/v1/order-states/{order.pk}/"
    assert api.put(url, {"state": "shipped"}, format="json").status_code == 400
    # delivered before anything was shipped: the map refuses it, a 400 naming the state, no 500
    early = api.put(url, {"state": "delivered"}, format="json")
    assert early.status_code == 400 and "state" in early.json()
    line_qty = {line.pk: line.quantity for line in order.lines.all()}
    body = _body(
        order, lines=[{"order_line": pk, "quantity": str(q)} for pk, q in line_qty.items()]
    )
    assert api.put("/api/v1/shipments/by-reference/S-4/", body, format="json").status_code == 201
    first = api.put(url, {"state": "delivered"}, format="json")
    assert first.status_code == 200 and first["X-Upsert-Action"] == "updated"
    again = api.put(url, {"state": "delivered"}, format="json")
    assert again["X-Upsert-Action"] == "unchanged" and again.json()["state"] == "delivered"
    assert api.put("/api/v1/order-states/999999/", {"state": "delivered"}).status_code == 404


def test_the_feed_lists_events_in_order_after_an_id(order, api_for, operator):
    api = api_for(Scope.EVENTS_READ)
    everything = api.get("/api/v1/events/").json()["results"]
    assert [e["type"] for e in everything] == ["order.accepted"]
    assert everything[0]["record"] == {"type": "order", "id": str(order.pk)}
    assert everything[0]["data"]["order"]["code"] == order.code
    from orders import shipping

    shipping.create_shipment(
        order=order,
        quantities={order.lines.first().pk: Decimal(1)},
        date=timezone.localdate(),
        carrier="BRT",
        packages=1,
        acting_user=operator,
    )
    after = api.get(f"/api/v1/events/?after_id={everything[0]['id']}").json()["results"]
    assert [e["type"] for e in after] == ["order.changed", "order.shipped"]
    assert [e["id"] for e in after] == sorted(e["id"] for e in after)
    assert api.get("/api/v1/events/?after_id=abc").status_code == 400
    assert Event.objects.count() == 3
