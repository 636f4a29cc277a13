"""The warranty badge of a unit (unit list, unit page, a customer's units, the call header)."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from customers.models import Unit
from tests.factories import make_unit

BADGE = Template("{% load unit_badges %}{% warranty_badge unit %}")


def warranty_badge(unit):
    return BADGE.render(Context({"unit": unit}))


TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("language", "warranty_end", "html"),
    [
        ("en", None, '<span class="badge text-bg-light">No warranty</span>'),
        ("it", None, '<span class="badge text-bg-light">Senza garanzia</span>'),
        (
            "it",
            datetime.date(2031, 12, 5),
            '<span class="badge text-bg-success">In garanzia fino al 05/12/2031</span>',
        ),
        (
            "fr",
            datetime.date(2031, 12, 5),
            '<span class="badge text-bg-success">Sous garantie jusqu\'au 05/12/2031</span>',
        ),
        (
            "de",
            datetime.date(2020, 3, 9),
            '<span class="badge text-bg-secondary">Garantie abgelaufen am 09.03.2020</span>',
        ),
        (
            "es",
            datetime.date(2020, 3, 9),
            '<span class="badge text-bg-secondary">Garantía vencida el 09/03/2020</span>',
        ),
    ],
)
def test_the_badge_says_whether_and_until_when_in_the_users_language(language, warranty_end, html):
    with translation.override(language):
        assert warranty_badge(Unit(warranty_end=warranty_end)) == html


def test_a_warranty_ending_today_still_covers_today():
    with translation.override("en"):
        assert "text-bg-success" in warranty_badge(Unit(warranty_end=TODAY))
        yesterday = TODAY - datetime.timedelta(days=1)
        assert "Warranty ended" in warranty_badge(Unit(warranty_end=yesterday))


def test_the_unit_list_and_page_show_each_units_badge(operator_client):
    units = [
        make_unit(serial_number="COV-1", warranty_end=TODAY + datetime.timedelta(days=30)),
        make_unit(serial_number="END-1", warranty_end=TODAY - datetime.timedelta(days=30)),
        make_unit(serial_number="NONE-1", warranty_end=None),
    ]
    response = operator_client.get(reverse("customers:unit_list"))
    page = operator_client.get(units[0].get_absolute_url()).content.decode()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        badges = [warranty_badge(unit) for unit in units]
    body = response.content.decode()
    # each badge is a cell of its own (labelled for the phone's stacked rows)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
    assert all(badge in cells for badge in badges)
    assert badges[0] in page and badges[1] not in page
