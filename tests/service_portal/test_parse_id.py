"""Record ids read from addresses and forms (service_portal.forms.parse_id)."""

import pytest
from django.urls import reverse

from service_portal.forms import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 30, None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("٣", None),
        ("0", None),
        ("-1", None),
        ("1.0", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "9" * 30, str(2**63)])
def test_odd_ids_in_addresses_are_no_500(admin_client_, value):
    assert admin_client_.get(reverse("quotes:quote_create"), {"customer": value}).status_code == 200
    assert (
        admin_client_.get(reverse("quotes:pricelist_create"), {"customer": value}).status_code
        == 200
    )
    # A refused draft goes back to the list (with its filters and page), saying why.
    refused = admin_client_.post(reverse("invoicing:billable_calls"), {"calls": [value]})
    assert refused.status_code == 302
    assert refused.url.startswith(reverse("invoicing:billable_calls"))
    assert admin_client_.get(reverse("planner:hours_month"), {"user": value}).status_code in (
        200,
        404,
    )
