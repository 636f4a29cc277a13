"""Every list shows the nearest page that exists for any page number: never "page not found"."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.list import MultipleObjectMixin

from service_portal.pagination import NearestPageMixin, nearest_page_number
from tests.factories import make_customer


def _list_views(resolver=None, namespace=None):
    """(url name, view class) of every list page of the portal that takes no URL argument."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            ns = pattern.namespace
            yield from _list_views(
                pattern, f"{namespace}:{ns}" if namespace and ns else ns or namespace
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class and issubclass(view_class, MultipleObjectMixin):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, view_class, not pattern.pattern.regex.groups


LISTS = sorted(_list_views())


@pytest.mark.parametrize(
    ("raw", "pages", "expected"),
    [
        ("1", 5, 1),
        ("3", 5, 3),
        ("6", 5, 5),
        ("999999999999999999999999", 5, 5),
        ("0", 5, 1),
        ("-4", 5, 1),
        ("abc", 5, 1),
        ("", 5, 1),
        (None, 5, 1),
        (" 2 ", 5, 2),
        ("2.0", 5, 2),
        ("1e3", 5, 5),
        ("nan", 5, 1),
        ("inf", 5, 1),
        ("last", 5, 5),
        ("7", 0, 1),  # an empty list still has its first (empty) page
    ],
)
def test_the_nearest_page_number(raw, pages, expected):
    assert nearest_page_number(raw, pages) == expected


def test_every_list_of_the_portal_takes_its_page_from_the_one_shared_mixin():
    assert len(LISTS) >= 15
    missing = [name for name, view, _ in LISTS if not issubclass(view, NearestPageMixin)]
    assert not missing, f"lists that answer 404 for a wrong page number: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["abc", "-1", "0", "99999", "1.5e2", "%00", "last"])
@pytest.mark.parametrize("name", [name for name, _, plain in LISTS if plain])
def test_any_page_number_shows_a_page_of_every_list(admin_client_, name, raw):
    response = admin_client_.get(reverse(name), {"page": raw})
    assert response.status_code == 200, (name, raw)
    assert response.context["page_obj"].number == 1  # one page of (no) rows: the first


@pytest.mark.django_db
def test_a_page_past_the_end_shows_the_last_page_with_its_rows(admin_client_):
    for n in range(settings.PAGE_SIZE * 2 + 3):
        make_customer(name=f"Paged customer {n:03d}")
    url = reverse("customers:customer_list")
    with CaptureQueriesContext(connection) as first:
        admin_client_.get(url, {"page": "1"})
    with CaptureQueriesContext(connection) as beyond:
        response = admin_client_.get(url, {"page": "40"})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.number == 3 and len(page.object_list) == 3
    body = response.content.decode()
    assert "Page 3 of 3" in body and "Paged customer 052" in body
    assert len(beyond) == len(first)  # the nearest page costs what any page costs
    response = admin_client_.get(url, {"page": "zwei"})
    assert response.context["page_obj"].number == 1
    assert "Paged customer 000" in response.content.decode()
