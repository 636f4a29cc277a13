"""Row links and the menu are reversed once, and read the same as reverse()."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from calls.models import Call, Intervention
from customers.models import Customer, Unit
from service_portal.links import DAY_MARKER, ID_MARKERS, reverse_ids, url_pattern
from service_portal.navigation import items_for


def test_the_same_url_as_reverse_for_any_ids():
    for pk in (0, 1, 7, 10, 918273645, 2**40):
        assert reverse_ids("customers:customer_detail", pk) == reverse(
            "customers:customer_detail", args=[pk]
        )
        assert reverse_ids("calls:manage", pk, 3) == reverse("calls:manage", args=[pk, 3])
    assert Customer(pk=5).get_absolute_url() == "/customers/5/"
    assert Unit(pk=6).get_absolute_url() == reverse("customers:unit_detail", args=[6])
    assert Call(pk=8).get_absolute_url() == reverse("calls:call_detail", args=[8])
    assert Intervention(call_id=8, number=2).get_absolute_url() == reverse(
        "calls:manage", args=[8, 2]
    )


def test_a_pattern_with_an_id_and_a_day_fills_in_as_reverse_does():
    day_url = url_pattern("planner:day", ID_MARKERS[0], DAY_MARKER)
    for pk, day in ((1, "2026-11-29"), (918273645, "2000-01-01")):
        assert day_url.format(pk, day) == reverse("planner:day", args=[pk, day])
    assert url_pattern("planner:hours_day", DAY_MARKER).format("2026-02-28") == reverse(
        "planner:hours_day", args=["2026-02-28"]
    )


def test_a_marker_that_is_not_once_in_the_url_is_refused():
    with pytest.raises(ValueError, match="not each once"):
        url_pattern("planner:day", 1, "0001-01-01")  # "1" is also in the day


def test_a_script_prefix_is_kept():
    set_script_prefix("/portal/")
    try:
        assert reverse_ids("customers:customer_detail", 4) == "/portal/customers/4/"
        assert reverse_ids("customers:customer_detail", 4) == reverse(
            "customers:customer_detail", args=[4]
        )
    finally:
        set_script_prefix("/")
    assert reverse_ids("customers:customer_detail", 4) == "/customers/4/"


def test_values_that_are_not_ids_fail_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        Customer().get_absolute_url()  # not saved: no pk
    with pytest.raises(NoReverseMatch):
        reverse_ids("customers:customer_detail", "x")


def test_the_menu_is_the_same_on_every_request(operator, technician):
    first = items_for(operator)
    assert items_for(operator) == first
    urls = [item["url"] for group in first for item in group["items"]]
    assert reverse("calls:call_search") in urls and reverse("calls:call_create") in urls
    technician_urls = [item["url"] for group in items_for(technician) for item in group["items"]]
    assert reverse("calls:call_create") not in technician_urls
