"""Searching parts by code or description (in any language) on a warehouse's stock, the
catalogue and the offer cart; deep pages of a warehouse's stock and of the catalogue read by key
from their Next links, with the rows counting from the start gives and the queries of page 1.
On PostgreSQL the text search is answered by the parts' trigram indexes, one per column."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import SparePart
from orders.selectors import part_matches
from service_portal.crud import PortalListView
from service_portal.i18n import localized_fields
from stock.models import StockLevel
from tests.orders.factories import make_draft, make_part, make_setting
from tests.stock.factories import make_central, receive

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'href="\?([^"]*)" rel="next"')


@pytest.fixture(autouse=True)
def _no_session_refresh(settings):
    settings.SESSION_REFRESH_SECONDS = 3600


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(PortalListView, "paginate_by", 2)


def _get(client, url: str, query: str = ""):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{url}?{query}" if query else url)
    assert response.status_code == 200, url
    return response, [q["sql"] for q in ctx.captured_queries]


def _codes(response, key: str = "object_list") -> list[str]:
    rows = response.context[key]
    return [getattr(row, "spare_part", row).code for row in rows]


def _next(response) -> str:
    found = NEXT.search(response.content.decode())
    assert found, "no Next link on the page"
    return html.unescape(found.group(1))


def _stocked(central, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        receive(central, make_part(f"P-{n:04d}"), "3")


@pytest.mark.parametrize("search", ["", "q=p-0"])
def test_a_deep_page_of_a_warehouse_reads_by_key_the_rows_page_numbers_give(
    small_pages, client_for, operator, search
):
    central = make_central()
    _stocked(central, 13)
    client = client_for(operator)
    url = reverse("stock:warehouse_detail", args=[central.pk])
    first, first_sql = _get(client, url, search)
    deep, deep_sql = first, first_sql
    for _ in range(4):  # Next, Next, ... as a user pages: page 5
        deep, deep_sql = _get(client, url, _next(deep))
    assert deep.context["page_obj"].number == 5
    assert "after=" in deep.request["QUERY_STRING"]
    typed, typed_sql = _get(client, url, f"{search}&page=5")  # a typed number: OFFSET
    assert _codes(deep) == _codes(typed) == ["P-0008", "P-0009"]
    assert not any("OFFSET" in sql for sql in deep_sql)
    assert len(first_sql) == len(deep_sql) == len(typed_sql)
    # More stock: page 5 by key costs the same queries.
    _stocked(central, 20, start=100)
    again, again_sql = _get(client, url, deep.request["QUERY_STRING"])
    assert _codes(again) == ["P-0008", "P-0009"]
    assert len(again_sql) == len(deep_sql)


def test_a_deep_page_of_the_catalogue_reads_by_key(small_pages, client_for, operator):
    for n in range(9):
        make_part(f"C-{n:03d}")
    client = client_for(operator)
    url = reverse("orders:sparepart_list")
    first, first_sql = _get(client, url, "q=c-")
    deep = first
    for _ in range(3):
        deep, deep_sql = _get(client, url, _next(deep))
    assert "after=" in deep.request["QUERY_STRING"]
    assert _codes(deep) == ["C-006", "C-007"]
    assert not any("OFFSET" in sql for sql in deep_sql)
    assert len(deep_sql) == len(first_sql)


@pytest.mark.parametrize("language", ["it", "en", "de", "fr", "es"])
def test_a_part_is_found_by_its_description_in_any_language_whatever_the_case(
    client_for, operator, language
):
    central = make_central()
    texts = {
        "it": "Filtro aria carter",
        "en": "Crankcase air filter",
        "de": "Kurbelgehaeuse Luftfilter",
        "fr": "Filtre a air du carter",
        "es": "Filtro de aire del carter",
    }
    wanted = make_part("AIR-1", **{f"description_{code}": text for code, text in texts.items()})
    make_part("OIL-1", description_it="Olio motore", description_en="Engine oil")
    receive(central, wanted, "2")
    word = {
        "it": "ARIA CART",
        "en": "air FILTER",
        "de": "luftfilter",
        "fr": "a AIR du",
        "es": "de AIRE",
    }
    typed = word[language]
    client = client_for(operator)
    stock = client.get(reverse("stock:warehouse_detail", args=[central.pk]), {"q": typed})
    catalogue = client.get(reverse("orders:sparepart_list"), {"q": typed})
    offer = make_draft(operator, parts=[], **make_setting())
    cart = client.get(reverse("orders:cart_search", args=[offer.pk]), {"q": typed})
    assert _codes(stock) == ["AIR-1"]
    assert _codes(catalogue) == ["AIR-1"]
    assert _codes(cart, "parts") == ["AIR-1"]


def test_a_search_by_code_finds_the_part_and_nothing_else(client_for, operator):
    central = make_central()
    for code in ("VLV-100", "VLV-200", "PMP-100"):
        receive(central, make_part(code, description_it="Valvola"), "1")
    client = client_for(operator)
    stock = client.get(reverse("stock:warehouse_detail", args=[central.pk]), {"q": "pmp-1"})
    assert _codes(stock) == ["PMP-100"]
    # % and _ are letters to search for, not patterns.
    assert _codes(client.get(reverse("orders:sparepart_list"), {"q": "VLV_"})) == []
    assert _codes(client.get(reverse("orders:sparepart_list"), {"q": "%"})) == []


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # On a handful of test rows reading the table is cheaper: forbid it, so the plan shows
        # which indexes the condition can use at all (a column without one: no plan but that).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
def test_the_parts_search_is_answered_by_a_trigram_index_on_every_column():
    # (How a warehouse's stock search joins to it depends on the sizes: at 200,000 parts it
    # starts from these index scans, docs/stock.md; on a few test rows from the warehouse.)
    make_part("FLT-1", description_it="Filtro olio")
    plan = _plan(SparePart.objects.filter(part_matches("filtro")).values("pk"))
    assert "Seq Scan on orders_sparepart" not in plan, plan
    for column in ["code", *localized_fields("description")]:
        assert f"sparepart_{column}_trgm_idx" in plan, (column, plan)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_below_minimum_is_counted_from_its_partial_index():
    central = make_central()
    receive(central, make_part("LOW-1"), "1")
    StockLevel.objects.update(minimum=3, maximum=5)
    queryset = StockLevel.objects.filter(warehouse=central, quantity__lt=F("minimum")).values("pk")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "stocklevel_below_minimum_idx" in plan, plan
