"""An operator keeps the master data in the Django admin, with the translation tabs working:
jQuery UI served by the portal (no CDN, the Content-Security-Policy unchanged), no console
error (the page fixture fails on any)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_adds_a_spare_part_in_the_admin_with_one_tab_per_language(
    page, login, operator
):
    login(operator.username, PASSWORD)
    page.wait_for_selector("[data-testid=user-menu]")
    page.goto("/admin/")
    page.wait_for_selector("a[href='/admin/orders/sparepart/']")
    assert page.locator("a[href='/admin/accounts/user/']").count() == 0
    page.goto("/admin/orders/sparepart/add/")
    tabs = page.locator(".ui-tabs-nav").first
    tabs.wait_for()
    assert [t.strip() for t in tabs.locator("li").all_inner_texts()] == [
        "IT",
        "EN",
        "DE",
        "FR",
        "ES",
    ]
    # One language's field is shown at a time, the reader's (English) first; a tab switches.
    english = page.locator("[name=description_en]")
    german = page.locator("[name=description_de]")
    assert english.is_visible() and not german.is_visible()
    tabs.locator("li", has_text="DE").click()
    assert german.is_visible() and not english.is_visible()
