"""Dates and times in the portal's format whatever the browser's locale.

An American browser would show a native date input as "mm/dd/yyyy" and a time as "2:30 PM"
beside the portal's "29/11/2026 14:30"; the portal's fields are text in the reader's format,
with a calendar that writes the same format.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_locale() -> str:
    return "en-US"


@pytest.mark.parametrize(
    ("language", "placeholder", "separator"),
    [("en", "dd/mm/yyyy", "/"), ("it", "gg/mm/aaaa", "/"), ("de", "TT.MM.JJJJ", ".")],
)
def test_a_date_is_shown_and_picked_in_the_readers_format(
    page, login, operator, language, placeholder, separator
):
    User.objects.filter(pk=operator.pk).update(language=language)
    login(operator.username, PASSWORD)
    page.goto("/calls/?date_from=2026-11-29")
    field = page.locator("input[name=date_from]")
    assert field.get_attribute("type") == "text"
    assert field.get_attribute("placeholder") == placeholder
    assert field.input_value() == f"29{separator}11{separator}2026"

    # The calendar opens on a click, at the typed month, and writes the reader's format.
    field.click()
    calendar = page.locator(".air-datepicker.-active-")
    calendar.wait_for()
    calendar.locator(
        ".air-datepicker-cell.-day-:not(.-other-month-)", has_text=re.compile("^3$")
    ).click()
    expect(field).to_have_value(f"03{separator}11{separator}2026")  # written after the click

    # Typed by hand in the reader's format, the search reads it.
    field.fill(f"01{separator}02{separator}2026")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"date_from="))
    assert page.locator("input[name=date_from]").input_value() == f"01{separator}02{separator}2026"
    assert not page.locator("input[name=date_from].is-invalid").count()


def test_times_are_24_hour_in_an_american_browser(page, login, operator):
    login(operator.username, PASSWORD)
    page.goto("/calls/new/")
    received = page.locator("input[name=received_at]")
    assert received.get_attribute("type") == "text"
    value = received.input_value()
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", value), value
    assert not re.search(r"AM|PM|a\.m\.|p\.m\.", page.inner_text("main"))
    assert value.startswith(timezone.localdate().strftime("%d/%m/%Y"))
    # The calendar of a date and time field has a 24-hour clock.
    received.click()
    clock = page.locator(".air-datepicker.-active- .air-datepicker-time")
    clock.wait_for()
    assert not re.search(r"AM|PM", clock.inner_text())
