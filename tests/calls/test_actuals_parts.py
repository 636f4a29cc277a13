"""Section 5: spare parts used, picked from the catalogue with prices frozen."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from calls.models import PartUsed, State
from calls.services import CallError, actuals
from tests.calls.factories import make_intervention, plan_with_visit
from tests.factories import make_product
from tests.orders.factories import make_part

pytestmark = pytest.mark.django_db


def _url(name, intervention, *extra):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number, *extra])


def _planned(technician, operator, *, warranty_end=datetime.date(2027, 6, 30)):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    unit = intervention.call.unit
    unit.warranty_end = warranty_end
    unit.save()
    plan_with_visit(intervention, operator)
    return intervention


def test_prices_are_frozen_from_the_catalogue(technician, operator):
    intervention = _planned(technician, operator)
    part = make_part("PUMP-1", list_price=Decimal("120.50"))
    used = actuals.add_part(
        intervention=intervention,
        acting_user=technician,
        spare_part=part,
        quantity=Decimal("2"),
        serial_or_lot="LOT 7",
    )
    part.list_price = Decimal("999")
    part.save()
    used.refresh_from_db()
    assert used.unit_price == Decimal("120.50")
    assert used.vat_rate == Decimal("22")
    assert used.code == "PUMP-1"
    assert used.serial_or_lot == "LOT 7"


@pytest.mark.parametrize(
    ("quantity", "message"),
    [(Decimal("0"), "more than 0"), (Decimal("-1"), "more than 0"), (Decimal("5000"), "at most")],
)
def test_absurd_quantities_are_refused(technician, operator, quantity, message):
    intervention = _planned(technician, operator)
    with pytest.raises(CallError, match=message):
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            spare_part=make_part(),
            quantity=quantity,
        )
    assert not PartUsed.objects.exists()


def test_another_technician_cannot_add_or_remove(
    client_for, technician, other_technician, operator
):
    intervention = _planned(technician, operator)
    part = make_part()
    with pytest.raises(CallError):
        actuals.add_part(
            intervention=intervention,
            acting_user=other_technician,
            spare_part=part,
            quantity=Decimal("1"),
        )
    used = actuals.add_part(
        intervention=intervention, acting_user=technician, spare_part=part, quantity=Decimal("1")
    )
    response = client_for(other_technician).post(_url("part_remove", intervention, used.pk))
    assert response.status_code == 404
    assert PartUsed.objects.filter(pk=used.pk).exists()


def test_search_puts_the_parts_fitting_the_unit_first_and_defaults_warranty(
    client_for, technician, operator
):
    intervention = _planned(technician, operator)
    make_part("VALVE-A")
    make_part("VALVE-B", products=[intervention.call.unit.product, make_product()])
    page = client_for(operator).get(_url("part_search", intervention), {"q": "valve"})
    html = page.content.decode()
    assert html.index("VALVE-B") < html.index("VALVE-A")
    assert "Fits the unit" in html
    assert 'name="under_warranty" id="warranty-' in html
    assert "checked" in html
    # The technician does not decide the warranty (issue 17): they see it, without a tick box.
    html = client_for(technician).get(_url("part_search", intervention), {"q": "valve"})
    html = html.content.decode()
    assert 'name="under_warranty"' not in html
    assert 'data-testid="part-warranty"' in html


def test_out_of_warranty_the_box_is_not_ticked(client_for, technician, operator):
    intervention = _planned(technician, operator, warranty_end=datetime.date(2026, 11, 30))
    make_part("VALVE-A")
    html = client_for(technician).get(_url("part_search", intervention), {"q": "valve"})
    assert "checked" not in html.content.decode()


def test_the_page_adds_and_removes_a_part(client_for, technician, operator):
    intervention = _planned(technician, operator)
    part = make_part("BELT-9")
    client = client_for(technician)
    response = client.post(
        _url("part_add", intervention),
        {
            "spare_part": part.pk,
            "quantity": "3",
            "serial_or_lot": "S1",
            "under_warranty": "on",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    used = PartUsed.objects.get()
    assert used.under_warranty
    page = client.get(_url("manage", intervention)).content.decode()
    assert 'data-testid="part-used"' in page
    bad = client.post(
        _url("part_add", intervention),
        {"spare_part": part.pk, "quantity": "-2", "submission_token": str(uuid.uuid4())},
    )
    assert "more than 0" in bad.content.decode()
    assert client.post(_url("part_remove", intervention, used.pk)).status_code == 302
    assert not PartUsed.objects.exists()
