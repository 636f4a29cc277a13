"""In the browser: a customer is found by typing (no drop-down of every customer) in the offer
wizard, the dependent fields follow; a list asked for a page that does not exist shows the
nearest one."""

from __future__ import annotations

import pytest

from customers.models import Customer
from orders.models import Offer
from tests.conftest import PASSWORD
from tests.factories import make_contact, make_customer, make_site

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_offer_wizard_finds_the_customer_by_typing(page, login, operator):
    for n in range(40):
        make_customer(name=f"Cliente di prova {n:02d} S.r.l.")
    garcia = make_customer(name="Talleres García S.L.", vat_number="ESB12345674")
    site = make_site(garcia, name="Planta Zaragoza")
    contact = make_contact(garcia, site=site, name="Javier García")

    login(operator.username, PASSWORD)
    page.wait_for_selector("nav")
    page.goto("/orders/offers/new/")
    # The select holds no customers until one is chosen.
    assert page.locator("select[name=customer] option").count() == 1
    page.fill("[data-testid=picker-customer]", "garcia")  # no accent, lower case
    page.wait_for_selector("[data-testid=picker-results] >> text=Talleres García S.L.")
    assert page.locator("[data-testid=picker-results] [data-pick-value]").count() == 1
    page.click("[data-testid=picker-results] >> text=Talleres García S.L.")
    # Choosing reloads the form: the customer's site and contact are offered.
    page.wait_for_selector("select[name=site] option:has-text('Planta Zaragoza')", state="attached")
    assert page.input_value("select[name=customer]") == str(garcia.pk)
    page.select_option("select[name=site]", str(site.pk))
    page.select_option("select[name=contact]", str(contact.pk))
    page.click("button:has-text('Next: spare parts')")
    page.wait_for_selector("#part-search")
    assert Offer.objects.get().customer == garcia

    # Enter in the search box searches; it does not submit the form.
    page.goto("/orders/offers/new/")
    page.fill("[data-testid=picker-customer]", "prova 07")
    page.press("[data-testid=picker-customer]", "Enter")
    page.wait_for_selector("[data-testid=picker-results] >> text=Cliente di prova 07 S.r.l.")
    assert page.url.endswith("/orders/offers/new/")
    assert Offer.objects.count() == 1


def test_a_page_number_past_the_end_shows_the_last_page(page, login, operator):
    Customer.objects.bulk_create(
        Customer(name=f"Paginated {n:03d} S.p.A.", city="Milano") for n in range(60)
    )
    login(operator.username, PASSWORD)
    page.wait_for_selector("nav")
    page.goto("/customers/?page=99")
    page.wait_for_selector("text=Page 3 of 3")
    assert page.locator("text=Paginated 059 S.p.A.").count() == 1
    page.goto("/customers/?page=two")
    page.wait_for_selector("text=Page 1 of 3")
    page.click("a[rel=next]")
    page.wait_for_selector("text=Page 2 of 3")
