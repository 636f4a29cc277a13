"""An operator logs in, switches language, registers a customer's installed base, finds it again."""

from __future__ import annotations

import pytest

from customers.models import Customer, Unit
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.factories import make_product

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_registers_a_customer_with_site_contact_and_unit(page, login, operator):
    make_product(code="CMP-300", description_it="Compressore", description_en="Compressor")
    operator.language = "it"
    operator.save()

    login(operator.username, PASSWORD)
    page.wait_for_selector("h1:has-text('Cruscotto')")  # the operator's home: the dashboard
    page.goto("/customers/")
    page.wait_for_selector("h1:has-text('Clienti')")

    # Switch to English from the navigation bar: the choice sticks to the user.
    page.select_option("#language-select", "en")
    page.wait_for_selector("h1:has-text('Customers')")

    page.click("text=New customer")
    page.fill("input[name=name]", "Officine Test S.p.A.")
    page.fill("input[name=vat_number]", "12345678901")  # wrong check digit
    page.fill("input[name=city]", "Bergamo")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=is not a valid VAT number")
    assert page.input_value("input[name=city]") == "Bergamo"  # nothing typed is lost
    page.fill("input[name=vat_number]", "00743110157")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('Officine Test S.p.A.')")

    page.click("text=Add site")
    page.fill("input[name=name]", "Stabilimento Nord")
    page.fill("input[name=city]", "Seriate")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Stabilimento Nord")

    page.click("text=Add contact")
    page.fill("input[name=name]", "Giulia Neri")
    page.select_option("select[name=site]", label="Stabilimento Nord – Seriate")
    page.fill("input[name=phone]", "035 123456")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('Giulia Neri')")
    assert page.locator("a[href='tel:+39035123456']").count() == 1  # click-to-call
    page.click("h1 a:has-text('Officine Test S.p.A.')")

    page.click("text=Add unit")
    page.select_option("select[name=product]", label="CMP-300 – Compressor")
    page.fill("input[name=serial_number]", "cmp-777")
    page.fill("input[name=installation_date]", "2026-03-01")
    page.fill("input[name=warranty_end]", "2028-03-01")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('CMP-777')")
    screenshot(page, "unit-detail")

    # Find it again through the lists' search.
    page.goto("/customers/units/")
    page.fill("input[name=q]", "777")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("td a:has-text('CMP-777')")
    page.goto("/customers/")
    page.fill("input[name=q]", "officine test")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("td a:has-text('Officine Test S.p.A.')")

    customer = Customer.objects.get(name="Officine Test S.p.A.")
    assert customer.vat_number == "IT00743110157"
    assert Unit.objects.get(serial_number="CMP-777").site.customer == customer
    operator.refresh_from_db()
    assert operator.language == "en"
