"""What the events of orders carry (``events.outbox.emit``): enough for the ERP to act without
calling back. The shapes are documented with examples in docs/integration.md."""

from __future__ import annotations

from typing import Any

from orders.models import Order, Shipment


def order_payload(order: Order) -> dict[str, Any]:
    return {
        "order": {"id": order.pk, "code": order.code, "state": order.state},
        "customer": {"id": order.customer_id, "external_code": order.customer.external_code},
        "delivery_days": order.delivery_days,
        "lines": [
            {
                "id": line.pk,
                "code": line.code,
                "description": line.description,
                "quantity": line.quantity,
                "unit_of_measure": line.unit_of_measure,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
                "vat_percent": line.vat_percent,
            }
            for line in order.lines.all()
        ],
    }


def shipment_payload(shipment: Shipment) -> dict[str, Any]:
    order = shipment.order
    return {
        "order": {"id": order.pk, "code": order.code, "state": order.state},
        "shipment": {
            "id": shipment.pk,
            "ddt": shipment.ddt_code,
            "date": shipment.date,
            "carrier": shipment.carrier,
            "packages": shipment.packages,
            "erp_reference": shipment.erp_reference,
            "lines": [
                {
                    "order_line": line.order_line_id,
                    "code": line.order_line.code,
                    "quantity": line.quantity,
                }
                for line in shipment.lines.all()
            ],
        },
    }
