"""End to end: the portal, its task worker and the fake ERP (scripts/fake_erp.py) on loopback.

An order accepted in the portal reaches the ERP as a signed event through the worker; the ERP
ships it through the API; the portal has the delivery note and the order's new state. With the
ERP refusing connections for a while, every event still arrives once, in order.
"""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from api.models import Scope
from api.services import create_token
from events.models import Delivery, Event, WebhookEndpoint
from orders import shipping
from orders.documents import delivery_note_pdf
from orders.models import Order, OrderState
from scripts.fake_erp import FakeErp
from tests.orders.factories import make_accepted

SECRET = "e2e-shared-secret"  # noqa: S105


def run_worker() -> None:
    """The real task worker, for the tasks that are due, then it stops."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def portal(settings, live_server):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOK_RETRY_BASE_SECONDS = 1
    return live_server


@pytest.mark.django_db(transaction=True)
def test_an_accepted_order_is_shipped_by_the_erp_and_survives_an_outage(portal, operator):
    _token, token = create_token(name="ERP", scopes=[Scope.ORDERS_READ, Scope.ORDERS_WRITE])
    erp = FakeErp(secret=SECRET, portal=portal.url, token=token).start()
    try:
        WebhookEndpoint.objects.create(name="ERP", url=erp.url, secret=SECRET)
        offer = make_accepted(operator)
        order = Order.objects.get(offer=offer)
        run_worker()
        assert erp.rejected == 0
        assert [(e["type"], e["data"]["order"]["code"]) for e in erp.events] == [
            ("order.accepted", order.code)
        ]
        assert erp.ship_accepted_orders() == [201]
        order.refresh_from_db()
        assert order.state == OrderState.SHIPPED
        shipment = order.shipments.get()
        assert shipment.erp_reference == f"ERP-{order.code}" and shipment.carrier == "BRT"
        assert delivery_note_pdf(shipment).startswith(b"%PDF")
        run_worker()
        assert [e["type"] for e in erp.events] == [
            "order.accepted",
            "order.changed",
            "order.shipped",
        ]

        # The ERP goes down; the portal keeps changing; nothing is lost or doubled.
        erp.go_down()
        shipping.set_state_from_erp(order=order, to_state=OrderState.DELIVERED)
        second = Order.objects.get(offer=make_accepted(operator))
        run_worker()  # refused connections: retried later
        assert len(erp.events) == 3
        erp.come_back()
        # The retries are due WEBHOOK_RETRY_BASE_SECONDS after each failed try.
        last_retry = Delivery.objects.aggregate(last=Max("next_attempt_at"))["last"]
        time.sleep(max((last_retry - timezone.now()).total_seconds(), 0) + 0.2)
        run_worker()
        ids = [e["id"] for e in erp.events]
        assert ids == sorted(ids) == list(Event.objects.order_by("id").values_list("id", flat=True))
        assert erp.duplicates == 0 and erp.rejected == 0
        assert [e["type"] for e in erp.events[3:]] == ["order.changed", "order.accepted"]
        assert erp.events[-1]["data"]["order"]["code"] == second.code
    finally:
        erp.stop()
