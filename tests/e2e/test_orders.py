"""An operator builds an offer for a customer's unit, previews and sends it; the customer accepts
it from the link in the e-mail, which makes the order."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail

from orders.models import Offer, OfferState, Order
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.factories import make_contact, make_customer, make_product, make_site, make_unit
from tests.orders.factories import make_part, make_terms

pytestmark = pytest.mark.django_db(transaction=True)


def test_offer_from_unit_to_order(page, login, operator, browser, live_server):
    customer = make_customer(name="Officine Bianchi S.p.A.", language="en")
    site = make_site(customer, name="Plant North")
    contact = make_contact(customer, site=site, name="Giulia Neri", email="giulia@bianchi.example")
    product = make_product(
        code="CMP-300", description_it="Compressore", description_en="Compressor"
    )
    unit = make_unit(site, product, serial_number="CMP-777")
    make_part(
        "FLT-OIL-30",
        products=[product],
        description_it="Filtro olio",
        description_en="Oil filter",
        list_price=Decimal("38.50"),
    )
    make_part(
        "GRS-400", description_it="Grasso", description_en="Grease", list_price=Decimal("9.80")
    )
    make_terms()
    page.on("dialog", lambda dialog: dialog.accept())

    login(operator.username, PASSWORD)
    page.wait_for_selector("nav")
    # The link the calls page will use: everything prefilled.
    page.goto(
        f"/orders/offers/new/?customer={customer.pk}&site={site.pk}"
        f"&contact={contact.pk}&unit={unit.pk}"
    )
    assert page.input_value("select[name=unit]") == str(unit.pk)
    page.click("button:has-text('Next: spare parts')")

    # Step 2: the part that fits the unit is proposed; search and add another.
    page.wait_for_selector("[data-testid=add-FLT-OIL-30]")
    page.click("[data-testid=add-FLT-OIL-30]")
    page.wait_for_selector("[data-testid=line-FLT-OIL-30]")
    page.fill("#part-search", "grease")
    page.wait_for_selector("[data-testid=add-GRS-400]")
    page.click("[data-testid=add-GRS-400]")
    page.wait_for_selector("[data-testid=line-GRS-400]")
    line = page.locator("[data-testid=line-FLT-OIL-30]")
    line.locator("input[name$=quantity]").fill("2")
    line.locator("input[name$=quantity]").press("Enter")
    # 2 x 38.50 + 9.80 = 86.80; VAT 22% = 19.10; total 105.90
    page.wait_for_selector("[data-testid=total]:has-text('€105.90')")
    line.locator("input[name$=discount_percent]").fill("10")
    line.locator("input[name$=discount_percent]").press("Enter")
    # 2 x 38.50 - 10% = 69.30; + 9.80 = 79.10; VAT 22% = 17.40; total 96.50
    page.wait_for_selector("[data-testid=total]:has-text('€96.50')")
    screenshot(page, "offer-cart")

    # Go back to step 1 and forward again: nothing is lost.
    page.click("a:has-text('1. Customer')")
    assert page.input_value("select[name=unit]") == str(unit.pk)
    page.click("button:has-text('Next: spare parts')")
    page.wait_for_selector("[data-testid=total]:has-text('€96.50')")
    page.click("a:has-text('Next: offer data')")

    # Step 3: terms.
    page.fill("input[name=delivery_days]", "10")
    page.select_option("select[name=payment_method]", label="Bank transfer")
    page.select_option("select[name=transport]", label="Our courier")
    page.click("button:has-text('Next: review')")
    page.wait_for_selector("[data-testid=offer-state]:has-text('draft')")

    # Step 4: preview the PDF, then send.
    href = page.get_attribute("[data-testid=preview]", "href")
    pdf = page.request.get(href)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    page.click("button:has-text('Send to the customer')")
    page.wait_for_selector("[data-testid=offer-state]:has-text('sent')")
    offer = Offer.objects.get()
    assert offer.state == OfferState.SENT

    # The customer opens the link from the e-mail, without logging in.
    (message,) = mail.outbox
    assert message.to == ["giulia@bianchi.example"]
    assert message.attachments[0][2] == "application/pdf"
    link = re.search(r"https?://\S+/orders/o/\S+/", message.body).group(0)
    customer_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    customer_page = customer_context.new_page()
    customer_page.goto(link[link.index("/orders/o/") :])
    customer_page.wait_for_selector("text=Oil filter")
    customer_page.fill("input[name=name]", "Giulia Neri")
    customer_page.click("button:has-text('Accept the offer')")
    customer_page.wait_for_selector("[data-testid=decision]:has-text('by Giulia Neri. Thank you!')")
    screenshot(customer_page, "offer-accepted-by-customer")
    customer_context.close()

    # Back at the office: the acceptance made the order, with the same code.
    page.reload()
    page.wait_for_selector("[data-testid=offer-state]:has-text('accepted')")
    page.click(f"a:has-text('Order {offer.code}')")
    page.wait_for_selector("[data-testid=order-state]:has-text('confirmed')")
    order = Order.objects.get()
    assert order.code == offer.code
    assert order.lines.count() == 2
    screenshot(page, "order-detail")


def test_choosing_the_customer_limits_sites_contacts_and_units(page, login, operator):
    mine = make_customer(name="Alfa S.r.l.")
    site = make_site(mine, name="Alfa Plant")
    make_contact(mine, site=site, name="Anna Alfa")
    unit = make_unit(site, serial_number="ALFA-1")
    other = make_customer(name="Beta S.r.l.")
    make_unit(make_site(other, name="Beta Plant"), serial_number="BETA-1")

    login(operator.username, PASSWORD)
    page.wait_for_selector("nav")
    page.goto("/orders/offers/new/")
    # The customer is found with the picker (no drop-down of every customer).
    page.fill("[data-testid=picker-customer]", "alfa")
    page.click("[data-testid=picker-results] >> text=Alfa S.r.l.")
    page.wait_for_selector("select[name=unit] option:has-text('ALFA-1')", state="attached")
    units = page.locator("select[name=unit] option").all_inner_texts()
    assert not any("BETA-1" in text for text in units)
    page.select_option("select[name=site]", label=str(site))
    page.select_option("select[name=contact]", label="Anna Alfa")
    page.select_option("select[name=unit]", value=str(unit.pk))
    page.click("button:has-text('Next: spare parts')")
    page.wait_for_selector("h2:has-text('Cart')")
    offer = Offer.objects.get()
    assert (offer.customer, offer.unit) == (mine, unit)
