"""Two clerks on the same cart line: a save based on what the line was before someone else
changed it is refused with the portal's message, keeps what was typed and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.services import OfferError
from tests.orders.factories import make_draft, make_part

pytestmark = pytest.mark.django_db

CONFLICT = "Someone else changed this record while you were editing it."
HTMX = {"HX-Request": "true"}


@pytest.fixture
def line(operator):
    return make_draft(operator, parts=[make_part("FLT-1")]).lines.get()


def _shown_version(client, line) -> str:
    cart = client.get(reverse("orders:offer_cart", args=[line.offer_id]))
    form = next(row["form"] for row in cart.context["rows"] if row["line"].pk == line.pk)
    assert f'name="l{line.pk}-version" value="{line.version}"' in cart.content.decode()
    return str(form["version"].value())


def _post(client, line, version, quantity="4", htmx=True):
    return client.post(
        reverse("orders:cart_line", args=[line.offer_id, line.pk]),
        {
            f"l{line.pk}-quantity": quantity,
            f"l{line.pk}-unit_price": "12.00",
            f"l{line.pk}-discount_percent": "5",
            f"l{line.pk}-version": version,
        },
        headers=HTMX if htmx else {},
    )


def _values(line):
    line.refresh_from_db()
    return line.quantity, line.unit_price, line.discount_percent


def test_saving_a_line_twice_in_a_row_works(operator_client, line):
    version = _shown_version(operator_client, line)
    response = _post(operator_client, line, version)
    assert CONFLICT not in response.content.decode()
    assert _values(line) == (4, 12, 5)
    # the refreshed cart carries the new version: the next change is accepted too
    assert line.version == int(version) + 1
    assert f'name="l{line.pk}-version" value="{line.version}"' in response.content.decode()
    _post(operator_client, line, str(line.version), quantity="6")
    assert _values(line)[0] == 6


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_stale_line_is_refused_and_keeps_what_was_typed(operator_client, operator, line, htmx):
    version = _shown_version(operator_client, line)
    services.update_line(  # another clerk saves first
        line=line,
        acting_user=operator,
        quantity=Decimal("2"),
        unit_price=Decimal("10"),
        discount_percent=Decimal("0"),
        expected_version=int(version),
    )
    response = _post(operator_client, line, version, quantity="7", htmx=htmx)
    assert response.status_code == 200
    body = response.content.decode()
    assert CONFLICT in body and "alert-danger" in body
    assert f'name="l{line.pk}-quantity" value="7"' in body  # what this clerk typed
    assert _values(line) == (2, 10, 0)  # the other clerk's save stands


def test_adding_the_same_part_again_makes_an_open_line_form_stale(operator_client, operator, line):
    version = _shown_version(operator_client, line)
    services.add_line(offer=line.offer, spare_part=line.spare_part, acting_user=operator)
    _post(operator_client, line, version)
    assert _values(line)[0] == 2  # the +1 is not silently overwritten


def test_the_service_refuses_a_stale_version(operator, line):
    with pytest.raises(OfferError):
        services.update_line(
            line=line,
            acting_user=operator,
            quantity=Decimal("3"),
            unit_price=Decimal("1"),
            discount_percent=Decimal("0"),
            expected_version=line.version - 1,
        )
    assert _values(line) == (1, Decimal("10.00"), 0)
