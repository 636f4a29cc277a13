"""Parts never billed twice: a spare-part offer made from the call, accepted by the customer
through the link (the order exists at once), its parts recorded on the intervention from the
order (not billed again, the invoice names the order) or from stock (billed, with the discount
the offer gave). Figures worked by hand in the comments."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from calls import services as call_services
from calls.models import Call, Intervention, InterventionOffer, PartUsed, State
from calls.services import CallError, actuals
from invoicing import billing
from invoicing import services as invoicing_services
from invoicing.models import LineKind
from orders import services as order_services
from orders.models import Order
from tests.calls.factories import make_intervention
from tests.factories import make_company_profile
from tests.orders.factories import make_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(operator, technician):
    """A planned intervention whose call got an offer (2 oil filters at 38.50 -10 %, one
    grease at 9.80), accepted through the link."""
    intervention = make_intervention(State.PLANNED, technician=technician)
    unit = intervention.call.unit
    unit.installation_date, unit.warranty_end = datetime.date(2019, 1, 1), datetime.date(2020, 1, 1)
    unit.save()
    offer = call_services.create_offer_for_intervention(
        intervention=intervention, acting_user=operator
    )
    filter_part = make_part("FLT-OIL-30", list_price=Decimal("38.50"))
    grease = make_part("GRS-400", list_price=Decimal("9.80"))
    line = order_services.add_line(
        offer=offer, spare_part=filter_part, quantity=Decimal("2"), acting_user=operator
    )
    order_services.update_line(
        line=line,
        quantity=Decimal("2"),
        unit_price=Decimal("38.50"),
        discount_percent=Decimal("10"),
        acting_user=operator,
    )
    order_services.add_line(offer=offer, spare_part=grease, acting_user=operator)
    order_services.send_offer(offer=offer, acting_user=operator)
    order_services.record_decision(offer=offer, accept=True, name="Giulia", channel="link")
    order = Order.objects.get(offer=offer)
    return {
        "intervention": intervention,
        "offer": offer,
        "order": order,
        "filter_line": order.lines.get(code="FLT-OIL-30"),
        "filter": filter_part,
    }


def test_the_offer_is_linked_to_the_call_and_shown_on_both_pages(world, operator_client):
    intervention, offer, order = world["intervention"], world["offer"], world["order"]
    link = InterventionOffer.objects.get()
    assert (link.intervention, link.offer) == (intervention, offer)
    page = operator_client.get(intervention.get_absolute_url()).content.decode()
    assert 'data-testid="call-offer"' in page and order.get_absolute_url() in page
    for url in (offer.get_absolute_url(), order.get_absolute_url()):
        detail = operator_client.get(url).content.decode()
        assert 'data-testid="call-link"' in detail and intervention.code in detail


def test_the_order_lines_are_offered_when_recording_parts(world, technician, client_for):
    intervention = world["intervention"]
    page = client_for(technician).get(intervention.get_absolute_url()).content.decode()
    assert 'data-testid="order-line-FLT-OIL-30"' in page


def test_no_part_of_an_accepted_order_is_billed_twice(world, technician, administrator):
    intervention, order = world["intervention"], world["order"]
    actuals.add_part(
        intervention=intervention,
        acting_user=technician,
        order_line=world["filter_line"],
        quantity=Decimal("2"),
    )
    # Both filters are used: a third cannot come from the order...
    with pytest.raises(CallError, match="left on order"):
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            order_line=world["filter_line"],
            quantity=Decimal("1"),
        )
    # ...it comes from stock, billed with the discount the offer gave: 38.50 - 10 % = 34.65.
    actuals.add_part(
        intervention=intervention,
        acting_user=technician,
        spare_part=world["filter"],
        quantity=Decimal("1"),
    )
    used = {(p.order_code, p.quantity) for p in PartUsed.objects.all()}
    assert used == {(order.code, Decimal("2.00")), ("", Decimal("1.00"))}

    parts = [line for line in billing.bill(intervention).lines if line.kind == LineKind.PARTS]
    covered = next(line for line in parts if order.code in line.description)
    stock = next(line for line in parts if order.code not in line.description)
    assert (covered.amount, covered.unit_price) == (Decimal("0"), Decimal("0"))
    assert stock.amount == Decimal("34.65") and stock.unit_price == Decimal("34.65")

    # Issued: the customer's invoice says which order covered the filters, and bills 34.65 of
    # parts, not 2 x 34.65 more.
    make_company_profile()
    Intervention.objects.filter(pk=intervention.pk).update(state=State.VERIFIED)
    Call.objects.filter(pk=intervention.call_id).update(status=State.VERIFIED)
    draft = invoicing_services.create_draft(calls=[intervention.call], acting_user=administrator)
    invoice = invoicing_services.issue(invoice=draft, acting_user=administrator)
    lines = invoice.lines.filter(kind=LineKind.PARTS)
    assert sum(line.amount for line in lines) == Decimal("34.65")
    # In the customer's language (Italian): "covered by order ...".
    covered_lines = [
        line for line in lines if f"(coperto dall'ordine {order.code})" in line.description
    ]
    assert [line.amount for line in covered_lines] == [Decimal("0")]


def test_an_order_of_another_call_cannot_be_used(world, technician, operator):
    other = make_intervention(State.PLANNED, technician=technician)
    with pytest.raises(CallError, match="not one of this call's orders"):
        actuals.add_part(
            intervention=other,
            acting_user=technician,
            order_line=world["filter_line"],
            quantity=Decimal("1"),
        )
    assert not PartUsed.objects.exists()


def test_a_cancelled_order_offers_nothing(world, technician, operator):
    order_services.set_order_state(order=world["order"], to_state="cancelled", acting_user=operator)
    with pytest.raises(CallError):
        actuals.add_part(
            intervention=world["intervention"],
            acting_user=technician,
            order_line=world["filter_line"],
            quantity=Decimal("1"),
        )


def test_the_parts_page_posts_from_the_order_once(world, technician, client_for):
    intervention = world["intervention"]
    url = reverse("calls:part_from_order", args=[intervention.call_id, intervention.number])
    data = {
        "order_line": world["filter_line"].pk,
        "quantity": "1",
        "submission_token": "8f14e45f-ceea-467f-a0e6-0d2d2f3b6a11",
    }
    client = client_for(technician)
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submit
    assert PartUsed.objects.get().order_code == world["order"].code


def test_a_call_without_contact_gets_no_offer(operator):
    intervention = make_intervention(State.EXPECTED)
    Call.objects.filter(pk=intervention.call_id).update(contact=None)
    intervention.call.contact = None
    with pytest.raises(CallError, match="contact"):
        call_services.create_offer_for_intervention(intervention=intervention, acting_user=operator)


def test_a_technician_cannot_create_offers(technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    with pytest.raises(CallError):
        call_services.create_offer_for_intervention(
            intervention=intervention, acting_user=technician
        )
