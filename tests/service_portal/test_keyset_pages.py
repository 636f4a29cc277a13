"""Deep pages of the lists and of the call search cost what the first page costs: the page links
carry the key of the row next to them and the page is read from there (no OFFSET), with the
same rows as counting from the start would give."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from calls.models import Call, Intervention
from service_portal.crud import PortalListView
from service_portal.pagination import encode_key
from tests.calls.factories import make_call
from tests.factories import make_customer, make_site, make_unit, make_user

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'href="\?([^"]*)" rel="next"')
PREVIOUS = re.compile(r'href="\?([^"]*)" rel="prev"')


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(PortalListView, "paginate_by", 2)


def _link(pattern, response) -> str:
    found = pattern.search(response.content.decode())
    assert found, "no such link on the page"
    return html.unescape(found.group(1))


def _names(response) -> list[str]:
    return [str(row) for row in response.context["page_obj"].object_list]


def _page(client, url: str, query: str = ""):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    return response, sql


def _walk_to(client, url: str, page: int, start: str = ""):
    """Follow the Next links from the first page (with ``start`` parameters) to ``page``."""
    response, sql = _page(client, url, start)
    for _ in range(page - 1):
        response, sql = _page(client, url, _link(NEXT, response))
    return response, sql


@pytest.fixture
def customers(db):
    # Names repeat in pairs: the order by name needs the id to break the ties.
    for n in range(90):
        make_customer(name=f"Customer {n // 2:02d} S.r.l.")


def test_page_40_of_a_list_reads_by_key_the_rows_counting_gives(
    small_pages, customers, client_for, operator
):
    client = client_for(operator)
    url = reverse("customers:customer_list")
    first, first_sql = _page(client, url)
    deep, deep_sql = _walk_to(client, url, 40)
    assert deep.context["page_obj"].number == 40
    assert "after=" in deep.request["QUERY_STRING"]
    counted, counted_sql = _page(client, url, "page=40")  # typed: read with OFFSET
    assert _names(deep) == _names(counted)
    assert len(deep_sql) == len(first_sql) == len(counted_sql)
    assert not any("OFFSET" in q for q in deep_sql)
    assert any("OFFSET" in q for q in counted_sql)
    # Back one page by its key, and the last page read from the end.
    back, back_sql = _page(client, url, _link(PREVIOUS, deep))
    assert _names(back) == _names(_page(client, url, "page=39")[0])
    assert not any("OFFSET" in q for q in back_sql)
    last, last_sql = _page(client, url, "page=45")
    assert _names(last) == ["Customer 44 S.r.l.", "Customer 44 S.r.l."]
    assert not any("OFFSET" in q for q in last_sql)


def test_a_search_keeps_its_filter_across_keyed_pages(small_pages, customers, client_for, operator):
    client = client_for(operator)
    url = reverse("customers:customer_list")
    deep, _ = _walk_to(client, url, 3, "q=Customer+1")
    assert all(name.startswith("Customer 1") for name in _names(deep))
    assert _names(deep) == _names(_page(client, url, "q=Customer+1&page=3")[0])


@pytest.mark.parametrize("key", ["garbage", "WyJ4Il0", "WyIxIiwgIngiXQ", "%00", "e30"])
def test_a_tampered_key_reads_the_page_by_counting(
    small_pages, customers, client_for, operator, key
):
    client = client_for(operator)
    url = reverse("customers:customer_list")
    tampered, _ = _page(client, url, f"page=5&after={key}")
    assert _names(tampered) == _names(_page(client, url, "page=5")[0])


@pytest.fixture
def calls(db):
    office = make_user(None, Role.OPERATOR)
    unit = make_unit(make_site(make_customer(name="Alfa")))
    other = make_unit(make_site(make_customer(name="Beta")))
    start = timezone.make_aware(datetime.datetime(2026, 3, 1, 9))
    for n in range(44):  # two calls a day at the same minute: the id breaks the ties
        make_call(
            by=office,
            unit=unit if n % 3 else other,
            received_at=start + datetime.timedelta(days=n // 2),
            with_contact=False,
        )
    return Call.objects.count()


@pytest.mark.parametrize("sort", ["", "sort=received", "sort=customer", "sort=-state", "sort=code"])
def test_page_20_of_the_call_search_reads_by_key(small_pages, calls, client_for, operator, sort):
    client = client_for(operator)
    url = reverse("calls:call_search")
    first, first_sql = _page(client, url, sort)
    deep, deep_sql = _walk_to(client, url, 20, sort)
    counted, counted_sql = _page(client, url, f"{sort}&page=20")
    assert [i.code for i in deep.context["page_obj"].object_list] == [
        i.code for i in counted.context["page_obj"].object_list
    ]
    assert len(deep_sql) == len(first_sql) == len(counted_sql)
    assert not any("OFFSET" in q for q in deep_sql)


def test_the_call_search_of_a_technician_stays_theirs_whatever_the_key(
    small_pages, calls, client_for, operator, technician
):
    theirs = set(Intervention.objects.order_by("pk").values_list("pk", flat=True)[:6])
    Intervention.objects.filter(pk__in=theirs).update(technician=technician)
    url = reverse("calls:call_search")
    # A key taken from the office's search, in the middle of everyone's calls.
    office_page, _ = _walk_to(client_for(operator), url, 10)
    key = _link(NEXT, office_page)
    response, _ = _page(client_for(technician), url, key.replace("page=11", "page=2"))
    shown = {i.pk for i in response.context["page_obj"].object_list}
    assert shown and shown <= theirs


@pytest.mark.parametrize(
    "ordering", [["-call__received_at", "-pk"], ["call__customer__name", "-pk"], ["code"]]
)
def test_a_row_read_as_values_has_the_key_of_its_record(calls, ordering):
    """The call search reads its rows with values(): the links they give are the same."""
    record = Intervention.objects.select_related("call__customer").order_by("pk")[3]
    fields = [item.lstrip("-") for item in ordering]
    row = Intervention.objects.values(*fields).get(pk=record.pk)
    assert encode_key(row, ordering, Intervention) == encode_key(record, ordering)
