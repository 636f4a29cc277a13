"""An operator quotes from a customer's price list, changes a quantity, saves, and prints it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from quotes.models import Quote
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.factories import make_customer
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_quotes_from_the_customer_price_list(page, login, operator):
    customer = make_customer(name="Carpenteria Ferri S.r.l.", language="it")
    make_price_list(name="Standard 2026")
    make_price_list(name="Ferri 2026", customer=customer)

    login(operator.username, PASSWORD)
    page.goto("/quotes/")
    page.click("text=New quote")
    page.fill("input[name=q]", "ferri")
    page.click("form[role=search] button[type=submit]")
    page.click("a:has-text('Carpenteria Ferri S.r.l.')")
    # The customer's own list is proposed first.
    assert "Ferri 2026" in page.locator("select[name=price_list] option:checked").inner_text()
    page.click("button:has-text('Create quote')")
    page.wait_for_selector("h1:has-text('Quote')")
    assert page.locator("[data-testid=quote-line]").count() == 4
    assert page.locator("input[name='lines-0-unit_price']").is_disabled()  # no price permission

    # Totals follow the quantities as they are typed (htmx), before saving.
    page.fill("input[name='lines-0-quantity']", "3")
    page.wait_for_selector("[data-testid=taxable]:has-text('€285.55')")
    assert page.inner_text("#net-lines-0") == "€165.00"
    # A wrong quantity is refused with a clear message and nothing is saved.
    with page.expect_response("**/totals/"):
        page.fill("input[name='lines-1-quantity']", "-1")
    page.click("button:has-text('Save quote')")
    page.wait_for_selector("text=VI: the quantity must be greater than zero.")
    with page.expect_response("**/totals/"):
        page.fill("input[name='lines-1-quantity']", "2")
        page.check("input[name='lines-3-DELETE']")
    page.wait_for_selector("#net-lines-3:has-text('—')")
    page.click("button:has-text('Save quote')")
    page.wait_for_selector("text=Quote saved.")
    # 165 + 80 + 0.55 = 245.55; VAT 54.02; total 299.57
    page.wait_for_selector("[data-testid=total]:has-text('€299.57')")
    screenshot(page, "quote-editor")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Confirm')")
    page.wait_for_selector("text=confirmed.")
    quote = Quote.objects.get()
    assert quote.state == "confirmed"
    assert quote.totals().total == Decimal("299.57")

    response = page.request.get(f"/quotes/{quote.pk}/pdf/")
    assert response.ok
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert f"Preventivo {quote.code}" in text and "299,57 €" in text.replace("\xa0", " ")
