"""The ERP keeps the spare-part catalogue and the stock levels up to date through the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.models import Scope
from orders.models import SparePart
from tests.factories import make_product
from tests.orders.factories import make_part, make_vat

pytestmark = pytest.mark.django_db

PARTS = "/api/v1/spare-parts/"
STOCK = "/api/v1/spare-parts/stock-levels/"


@pytest.fixture(autouse=True)
def _vat():
    make_vat("22", "22")
    make_vat("10", "10")


def test_upsert_creates_then_changes_nothing_then_updates(api):
    make_product(code="PX-200")
    url = f"{PARTS}by-code/VALVE-9/"
    body = {
        "description_it": "Valvola",
        "description_en": "Valve",
        "list_price": "12,50",
        "vat_code": "10",
        "stock_quantity": 4,
        "products": ["px-200"],
    }
    first = api.put(url, body, format="json")
    assert first.status_code == 201, first.json()
    assert first["X-Upsert-Action"] == "created"
    data = first.json()
    assert (data["list_price"], data["vat_code"], data["stock_quantity"]) == (
        "12.50",
        "10",
        "4.000",
    )
    assert data["products"] == ["PX-200"]
    part = SparePart.objects.get(code="VALVE-9")
    stamp = part.updated_at

    again = api.put(url, body, format="json")
    assert (again.status_code, again["X-Upsert-Action"]) == (200, "unchanged")
    assert SparePart.objects.filter(code__iexact="valve-9").count() == 1
    part.refresh_from_db()
    assert part.updated_at == stamp  # no phantom change for incremental sync

    changed = api.put(f"{PARTS}by-code/valve-9/", {"list_price": 13}, format="json")
    assert (changed.status_code, changed["X-Upsert-Action"]) == (200, "updated")
    part.refresh_from_db()
    assert (part.list_price, part.description_en) == (Decimal("13.00"), "Valve")
    assert api.get(f"{PARTS}by-code/Valve-9/").json()["id"] == part.pk


def test_a_new_part_needs_a_price_and_a_description(api):
    response = api.put(f"{PARTS}by-code/NEW-1/", {"list_price": "5"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"description_it": ["the description is empty"]}
    response = api.put(f"{PARTS}by-code/NEW-1/", {"description_it": "Filtro"}, format="json")
    assert response.status_code == 400
    assert "list_price" in response.json()
    assert not SparePart.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"list_price": "-3"}, "list_price", "cannot be negative"),
        ({"list_price": "abc"}, "list_price", "is not a number"),
        ({"list_price": "NaN"}, "list_price", "cannot be negative"),
        ({"list_price": "1e20"}, "list_price", "digits"),
        ({"list_price": True}, "list_price", "Enter a number"),
        ({"vat_code": "99"}, "vat_code", "unknown VAT rate 99"),
        ({"products": ["NOPE"]}, "products", "unknown products: NOPE"),
        ({"stock_quantity": "1.23456"}, "stock_quantity", "decimal places"),
    ],
)
def test_the_import_rules_refuse_bad_values_field_by_field(api, body, field, words):
    make_part("P-1")
    response = api.put(f"{PARTS}by-code/P-1/", body, format="json")
    assert response.status_code == 400
    assert words in response.json()[field][0]


def test_errors_are_translated(api):
    make_part("P-1")
    response = api.put(
        f"{PARTS}by-code/P-1/", {"vat_code": "99"}, format="json", HTTP_ACCEPT_LANGUAGE="it"
    )
    assert response.json() == {"vat_code": ["aliquota IVA sconosciuta 99"]}


def test_stock_levels_are_set_all_together(api):
    a, b = make_part("A-1"), make_part("B-1", stock_quantity=Decimal("7"))
    response = api.post(
        STOCK,
        {"items": [{"code": "a-1", "stock_quantity": "3.5"}, {"code": "B-1", "stock_quantity": 7}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"updated": 1, "unchanged": 1}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.stock_quantity, b.stock_quantity) == (Decimal("3.5"), Decimal("7"))


def test_one_bad_item_and_nothing_is_saved(api):
    make_part("A-1")
    make_part("B-1")
    response = api.post(
        STOCK,
        {
            "items": [
                {"code": "A-1", "stock_quantity": 10},
                {"code": "GHOST", "stock_quantity": 1},
                {"code": "B-1", "stock_quantity": "-2"},
                {"code": "a-1", "stock_quantity": 1},
            ]
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 400
    items = response.json()["items"]
    assert items[0] == {}
    assert items[1] == {"code": ["Nessun ricambio con codice GHOST."]}
    assert "negativo" in items[2]["stock_quantity"][0]
    assert list(items[3]) == ["code"]
    assert set(SparePart.objects.values_list("stock_quantity", flat=True)) == {Decimal("0")}


@pytest.mark.parametrize(
    "body",
    [{}, {"items": []}, {"items": "x"}, {"items": [{"code": "A-1"}]}, [1], {"items": [None]}],
)
def test_malformed_stock_requests_are_400(api, body):
    make_part("A-1")
    assert api.post(STOCK, body, format="json").status_code == 400


def test_reading_and_writing_need_the_catalogue_scopes(api_for, client):
    make_part("A-1")
    reader = api_for(Scope.CATALOGUE_READ)
    assert reader.get(PARTS).json()["results"][0]["code"] == "A-1"
    refused = reader.put(f"{PARTS}by-code/A-1/", {"list_price": 1}, format="json")
    assert refused.status_code == 403
    assert "catalogue:write" in refused.json()["detail"]
    assert reader.post(STOCK, {"items": []}, format="json").status_code == 403
    writer = api_for(Scope.CATALOGUE_WRITE)
    assert writer.get(PARTS).status_code == 403
    assert writer.post(STOCK, {"items": [{"code": "A-1", "stock_quantity": 1}]}, format="json")
    assert client.get(PARTS).status_code == 401
    assert client.post(STOCK, {}, content_type="application/json").status_code == 401


def test_spare_parts_list_syncs_and_keeps_its_query_count(api, django_assert_num_queries):
    product = make_product()
    for _ in range(2):
        make_part(products=[product])
    api.get(PARTS)
    with django_assert_num_queries(5):  # token, its rate counter, count, page, products
        api.get(PARTS)
    for _ in range(6):
        make_part(products=[product])
    with django_assert_num_queries(5):
        page = api.get(PARTS, {"page_size": 5}).json()
    assert page["count"] == 8
    first = page["results"][0]["id"]
    after = api.get(PARTS, {"after_id": first, "updated_since": "2000-01-01T00:00:00Z"})
    assert after.json()["count"] == 7
