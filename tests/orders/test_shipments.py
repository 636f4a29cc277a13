"""Shipments: delivery notes numbered without gaps, partial shipments, the order's state,
refusals that write nothing, the confirmation e-mailed on acceptance, the ERP's events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from orders import shipping
from orders.documents import delivery_note_pdf, order_confirmation_pdf
from orders.models import Order, OrderState, Shipment
from service_portal.models import Counter
from tests.orders.factories import make_accepted, make_part

TODAY = timezone.localdate


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def order(operator) -> Order:
    offer = make_accepted(operator, parts=[make_part(), make_part()])
    order = Order.objects.get(offer=offer)
    order.lines.update(quantity=Decimal(5))
    return order


def _ship(order, user, quantities, **fields):
    values = {"date": TODAY(), "carrier": "BRT", "packages": 1, **fields}
    return shipping.create_shipment(order=order, quantities=quantities, acting_user=user, **values)


def test_partial_shipments_then_shipped_with_gapless_delivery_notes(order, operator):
    first, second = order.lines.all()
    a = _ship(order, operator, {first.pk: Decimal(2)})
    order.refresh_from_db()
    assert order.state == OrderState.PARTLY_SHIPPED
    assert shipping.remaining(order) == {first.pk: 3, second.pk: 5}
    b = _ship(order, operator, {first.pk: Decimal(3), second.pk: Decimal(5)}, packages=2)
    order.refresh_from_db()
    assert order.state == OrderState.SHIPPED
    assert (a.number, b.number) == (1, 2) and a.year == b.year == TODAY().year
    assert list(order.history.values_list("to_state", flat=True)) == [
        "confirmed",
        "partly_shipped",
        "shipped",
    ]
    types = list(Event.objects.values_list("event_type", flat=True))
    assert types == [
        "order.accepted",
        "order.changed",
        "order.shipped",
        "order.changed",
        "order.shipped",
    ]


def test_a_refused_shipment_writes_nothing_and_gives_its_number_back(order, operator):
    line = order.lines.first()
    refusals = [
        ({line.pk: Decimal(6)}, {}, "left to ship"),
        ({}, {}, "at least one line"),
        ({line.pk: Decimal(1)}, {"carrier": "  "}, "carrier"),
        ({line.pk: Decimal(1)}, {"packages": 0}, "packages"),
        ({999999: Decimal(1)}, {}, "not one of the order"),
        ({line.pk: Decimal(1)}, {"date": TODAY() + timezone.timedelta(days=1)}, "future"),
    ]
    for quantities, fields, message in refusals:
        with pytest.raises(shipping.ShipmentError, match=message):
            _ship(order, operator, quantities, **fields)
    assert not Shipment.objects.exists()
    assert not Counter.objects.filter(series=shipping.DDT_SERIES, value__gt=0).exists()
    assert _ship(order, operator, {line.pk: Decimal(1)}).number == 1


def test_only_the_office_ships_and_a_cancelled_order_ships_nothing(order, operator, technician):
    line = order.lines.first()
    with pytest.raises(PermissionDenied):
        _ship(order, technician, {line.pk: Decimal(1)})
    shipping.set_state_from_erp(order=order, to_state=OrderState.CANCELLED)
    with pytest.raises(shipping.ShipmentError, match="cannot be shipped"):
        _ship(order, operator, {line.pk: Decimal(1)})


def test_the_erp_sets_delivered_once_and_cannot_cancel_what_left(order, operator):
    line = order.lines.first()
    with pytest.raises(shipping.ShipmentError):
        shipping.set_state_from_erp(order=order, to_state=OrderState.SHIPPED)
    _ship(order, operator, {line.pk: Decimal(1)})
    with pytest.raises(shipping.ShipmentError, match="cannot be cancelled"):
        shipping.set_state_from_erp(order=order, to_state=OrderState.CANCELLED)
    _ship(order, operator, {pk: left for pk, left in shipping.remaining(order).items() if left})
    order, changed = shipping.set_state_from_erp(order=order, to_state=OrderState.DELIVERED)
    assert changed and order.state == OrderState.DELIVERED
    order, changed = shipping.set_state_from_erp(order=order, to_state=OrderState.DELIVERED)
    assert not changed


def test_the_confirmation_goes_to_the_customer_with_the_company_header_and_delivery_date(
    operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_accepted(operator, parts=[make_part()])
    order = Order.objects.get(offer=offer)
    order.delivery_days = 10
    (message,) = [
        m for m in mail.outbox if m.attachments and m.attachments[0][0].startswith("order-")
    ]
    assert message.to == ["buyer@example.com"] and order.code in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == f"order-{order.code}.pdf" and mimetype == "application/pdf"
    text = pdf_text(order_confirmation_pdf(order))
    from service_portal.company import branding

    assert branding().name in text and order.code in text and offer.display_code in text
    expected = order.expected_delivery
    assert expected == timezone.localdate(order.created_at) + timezone.timedelta(days=10)


def test_the_delivery_note_names_number_carrier_packages_and_goods(order, operator):
    line = order.lines.first()
    shipment = _ship(order, operator, {line.pk: Decimal(2)}, carrier="GLS", packages=3)
    text = pdf_text(delivery_note_pdf(shipment))
    for expected in (shipment.ddt_code, "GLS", line.code, order.code):
        assert expected in text


def test_the_shipments_page_records_one_and_keeps_the_data_of_a_refused_one(
    order, operator_client, django_assert_max_num_queries
):
    url = reverse("orders:order_shipments", args=[order.pk])
    line = order.lines.first()
    response = operator_client.post(
        url, {"date": TODAY().isoformat(), "carrier": "BRT", "packages": "1", f"qty_{line.pk}": "9"}
    )
    assert response.status_code == 400 and not Shipment.objects.exists()
    assert 'value="BRT"' in response.content.decode()
    response = operator_client.post(
        url, {"date": TODAY().isoformat(), "carrier": "BRT", "packages": "1", f"qty_{line.pk}": "2"}
    )
    assert response.status_code == 302 and Shipment.objects.count() == 1
    with django_assert_max_num_queries(20):
        page = operator_client.get(url)
    assert page.status_code == 200 and "BRT" in page.content.decode()
    shipment = Shipment.objects.get()
    pdf = operator_client.get(reverse("orders:delivery_note", args=[order.pk, shipment.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert (
        operator_client.get(reverse("orders:order_confirmation", args=[order.pk])).status_code
        == 200
    )


def test_the_shipments_page_runs_the_same_queries_with_many_shipments(
    order, operator, operator_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("orders:order_shipments", args=[order.pk])
    first = order.lines.first()
    _ship(order, operator, {first.pk: Decimal(1)})
    with CaptureQueriesContext(connection) as one:
        operator_client.get(url)
    for _ in range(3):
        _ship(order, operator, {first.pk: Decimal(1)})
    with django_assert_num_queries(len(one)):
        operator_client.get(url)


def test_technicians_never_see_the_shipments(order, technician_client):
    url = reverse("orders:order_shipments", args=[order.pk])
    assert technician_client.get(url).status_code == 403
