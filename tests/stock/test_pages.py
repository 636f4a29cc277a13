"""The stock pages: who sees what, the forms' refusals, and a fixed number of queries whatever
the amount of stock (the pages of scripts/bench.py)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from stock.models import MoveKind, StockLevel, StockMove
from stock.services import record_move
from tests.factories import make_user
from tests.orders.factories import make_draft, make_part, make_setting
from tests.stock.factories import level, make_central, make_van, receive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_session_refresh(settings):
    settings.SESSION_REFRESH_SECONDS = 3600


def _grow(central, van, count: int, start: int = 0):
    for n in range(start, start + count):
        part = make_part(f"P-{n:04d}")
        receive(central, part, "5")
        receive(van, part, "1")
        record_move(
            kind=MoveKind.TRANSFER,
            spare_part=part,
            quantity=Decimal("1"),
            from_warehouse=central,
            to_warehouse=van,
        )
    StockLevel.objects.filter(warehouse=van).update(minimum=3, maximum=5)


def _twice(client, url, grow, django_assert_max_num_queries, queries):
    counts = []
    for step in ("small", "grown"):
        if step == "grown":
            grow()
        with django_assert_max_num_queries(queries) as captured:
            response = client.get(url)
        assert response.status_code == 200, (step, url)
        counts.append(len(captured))
    assert counts[0] == counts[1], (url, counts)
    return response


@pytest.mark.parametrize(
    ("name", "query", "queries"),
    [
        ("warehouse_list", "", 8),
        ("warehouse_detail", "", 9),
        ("warehouse_detail", "q=P-00&below_minimum=on", 9),
        ("van_restock", "", 9),
        ("move_list", "", 9),
        ("move_list", "kind=transfer&part=P", 10),
    ],
)
def test_stock_pages_run_a_fixed_number_of_queries(
    client_for, operator, technician, django_assert_max_num_queries, name, query, queries
):
    central, van = make_central(), make_van(technician)
    _grow(central, van, 2)
    args = [] if name in ("warehouse_list", "move_list") else [van.pk]
    url = reverse(f"stock:{name}", args=args) + (f"?{query}" if query else "")
    _twice(
        client_for(operator),
        url,
        lambda: _grow(central, van, 6, start=100),
        django_assert_max_num_queries,
        queries,
    )


@pytest.mark.parametrize("name", ["sparepart_list", "cart_search", "offer_cart"])
def test_parts_search_shows_availability_with_fixed_queries(
    client_for, operator, technician, django_assert_max_num_queries, name
):
    central, van = make_central(), make_van(technician)
    _grow(central, van, 2)
    offer = make_draft(operator, parts=[], **make_setting())
    args = [] if name == "sparepart_list" else [offer.pk]
    url = reverse(f"orders:{name}", args=args) + "?q=P-"
    response = _twice(
        client_for(operator),
        url,
        lambda: _grow(central, van, 6, start=100),
        django_assert_max_num_queries,
        30,
    )
    html = response.content.decode()
    assert "Warehouse CENTRAL 4" in html  # 5 received, 1 transferred to the van
    assert "in vans 2" in html  # 1 received, 1 transferred


def test_a_technician_sees_their_van_and_nothing_else(client_for, technician, other_technician):
    central, mine, theirs = make_central(), make_van(technician), make_van(other_technician)
    part = make_part("MINE-1")
    receive(mine, part, "2")
    receive(theirs, make_part("THEIRS-1"), "2")
    client = client_for(technician)
    listing = client.get(reverse("stock:warehouse_list"))
    assert list(listing.context["object_list"]) == [mine]
    assert client.get(reverse("stock:warehouse_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("stock:warehouse_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("stock:warehouse_detail", args=[central.pk])).status_code == 404
    moves = client.get(reverse("stock:move_list")).context["object_list"]
    assert [m.spare_part.code for m in moves] == ["MINE-1"]
    # Filtering by another's van shows nothing of it (the filter offers only their own).
    filtered = client.get(reverse("stock:move_list"), {"warehouse": theirs.pk})
    assert "THEIRS-1" not in filtered.content.decode()
    assert client.get(reverse("stock:move_create")).status_code == 403
    assert client.get(reverse("stock:van_restock", args=[mine.pk])).status_code == 403


def _move(**fields):
    return {"submission_token": str(uuid.uuid4()), "reason": "", "reference": "", **fields}


def test_the_office_records_a_receipt_and_a_refused_transfer_keeps_the_form(
    client_for, operator, technician
):
    central, van = make_central(), make_van(technician)
    part = make_part("RCV-1")
    client = client_for(operator)
    url = reverse("stock:move_create")
    response = client.post(
        url, _move(kind="receipt", part_code="rcv-1", quantity="4", to_warehouse=central.pk)
    )
    assert response.status_code == 302
    assert level(central, part) == 4
    refused = client.post(
        url,
        _move(
            kind="transfer",
            part_code="RCV-1",
            quantity="9",
            from_warehouse=central.pk,
            to_warehouse=van.pk,
        ),
    )
    assert refused.status_code == 200
    assert "Not enough “RCV-1”" in refused.content.decode()
    assert refused.context["form"]["quantity"].value() == "9"
    assert StockMove.objects.count() == 1
    unknown = client.post(url, _move(kind="receipt", part_code="NOPE", quantity="1"))
    assert "No spare part has this code." in unknown.content.decode()


def test_the_same_form_sent_twice_records_one_move(client_for, operator):
    central = make_central()
    make_part("TWICE")
    client = client_for(operator)
    data = _move(kind="receipt", part_code="TWICE", quantity="1", to_warehouse=central.pk)
    client.post(reverse("stock:move_create"), data)
    client.post(reverse("stock:move_create"), data)
    assert StockMove.objects.count() == 1


def test_a_consumption_cannot_be_entered_by_hand(client_for, operator, technician):
    van = make_van(technician)
    part = make_part("HAND")
    receive(van, part, "2")
    response = client_for(operator).post(
        reverse("stock:move_create"),
        _move(kind="consumption", part_code="HAND", quantity="1", from_warehouse=van.pk),
    )
    assert response.status_code == 200
    assert level(van, part) == 2


def test_van_restock_proposal_confirmed_as_a_transfer(client_for, operator, technician):
    central, van = make_central(), make_van(technician)
    part = make_part("LOW-1")
    receive(central, part, "10")
    receive(van, part, "1")
    StockLevel.objects.filter(warehouse=van).update(minimum=2, maximum=4)
    client = client_for(operator)
    url = reverse("stock:van_restock", args=[van.pk])
    page = client.get(url)
    assert "LOW-1" in page.content.decode()
    response = client.post(url, {"source": central.pk, f"qty_{part.pk}": "3"})
    assert response.status_code == 302
    assert (level(van, part), level(central, part)) == (4, 7)
    assert StockMove.objects.filter(kind=MoveKind.TRANSFER).count() == 1
    # Nothing is below minimum any more: the proposal is empty.
    assert "Nothing to restock" in client.get(url).content.decode()


def test_a_restock_of_a_central_warehouse_is_refused(client_for, operator):
    central = make_central()
    response = client_for(operator).get(reverse("stock:van_restock", args=[central.pk]))
    assert response.status_code == 302


def test_moves_are_read_only_in_the_admin(client_for):
    admin = make_user("boss", "administrator", is_staff=True, is_superuser=True)
    central = make_central()
    receive(central, make_part("ADM"), "1")
    move = StockMove.objects.get()
    client = client_for(admin)
    assert client.get(reverse("admin:stock_stockmove_add")).status_code == 403
    change = client.post(reverse("admin:stock_stockmove_change", args=[move.pk]), {"quantity": 9})
    assert change.status_code == 403
    assert client.post(reverse("admin:stock_stockmove_delete", args=[move.pk])).status_code == 403
    move.refresh_from_db()
    assert move.quantity == 1
