"""An operator takes two phone calls: one needs a visit, the other is solved on the phone."""

from __future__ import annotations

import pytest

from calls.models import Call, State
from customers.models import Contact
from tests.calls.factories import make_intervention_type
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, t
from tests.factories import make_contact, make_customer, make_product, make_site, make_unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["en", "it"])
def test_operator_takes_a_call_plans_the_visit_and_resolves_another_by_phone(
    page, login, operator, technician, language
):
    """The main journey's first half, in English and in Italian (the operator's language)."""
    operator.language = language
    operator.save(update_fields=["language"])
    technician.first_name, technician.last_name = "Tina", "Tecnica"
    technician.save()
    customer = make_customer(name="Officine Rossi S.p.A.")
    site = make_site(customer, name="Stabilimento Nord")
    make_contact(customer, site=site, name="Giulia Neri", phone="+39 035 123456")
    unit = make_unit(site, make_product(code="CMP-300"), serial_number="CMP-424242")
    make_intervention_type(name_en="Repair", name_it="Riparazione")
    page.on("dialog", lambda dialog: dialog.accept())

    login(operator.username, PASSWORD)
    # the operator's home is the dashboard
    page.wait_for_selector(f"h1:has-text('{t('Dashboard', language)}')")
    page.goto("/calls/")
    page.wait_for_selector(f"h1:has-text('{t('Calls', language)}')")
    screenshot(page, "call-search-empty", language)

    # 1. The phone rings: find the machine by its serial number.
    page.click(f"a.btn:has-text('{t('New call', language)}')")
    page.fill("[data-testid=customer-search]", "4242")
    page.click("[data-testid=picker-results] button:has-text('CMP-424242')")
    page.wait_for_selector("[data-testid=picked-customer]:has-text('Officine Rossi')")
    assert page.input_value("select[name=unit]") == str(unit.pk)
    page.select_option("select[name=contact]", label="Giulia Neri")
    page.fill("textarea[name=description]", "Compressor stops with alarm E42.")
    page.select_option("select[name=priority]", "high")
    page.click("[data-testid=create-call]")
    page.wait_for_selector("[data-testid=management-header]")
    call = Call.objects.get()
    assert page.locator("[data-testid=intervention-code]").inner_text() == f"{call.code}/1"
    assert page.locator("[data-testid=contact-phone][href^='tel:+39035']").count() == 1
    assert page.locator("[data-testid=blocked-quote]").is_visible()

    # 2. A visit is needed: fill the intervention section (saved with htmx, no reload).
    page.evaluate("window.__sameDocument = true")
    repair = "Repair" if language == "en" else "Riparazione"
    page.select_option("select[name=intervention-type]", label=repair)
    page.fill("input[name=intervention-requested_date]", "2026-12-15")
    page.select_option("select[name=intervention-technician]", label="Tina Tecnica")
    page.fill("input[name=intervention-expected_hours]", "3")
    page.click("[data-testid=save-intervention]")
    saved = t("Intervention data saved.", language)
    page.wait_for_selector(f'[data-testid=flash]:has-text("{saved}")')
    assert page.evaluate("window.__sameDocument") is True  # the page was not reloaded
    assert page.locator("[data-testid=blocked-quote]").count() == 0
    screenshot(page, "call-management", language)
    call.refresh_from_db()
    assert call.status == State.EXPECTED

    # 3. Find it again by serial number in the search.
    page.goto("/calls/")
    page.fill("input[name=serial_number]", "424242")
    page.click("form[role=search] button[type=submit]")
    page.click(f"td a:has-text('{call.code}/1')")
    page.wait_for_selector("[data-testid=management-header]")

    # 4. Another call, from a new contact added on the spot, solved on the phone.
    page.goto("/calls/new/")
    page.fill("textarea[name=description]", "How do I reset the service counter?")
    page.fill("[data-testid=customer-search]", "officine ross")
    page.click("[data-testid=picker-results] button:has-text('Officine Rossi S.p.A.')")
    page.wait_for_selector("[data-testid=picked-customer]")
    page.select_option("select[name=site]", label="Stabilimento Nord – Milano")
    page.click("[data-testid=add-contact]")
    page.fill("input[name=new_contact-name]", "Paolo Bianchi")
    page.fill("input[name=new_contact-phone]", "035 654321")
    page.click("[data-testid=inline-save]")
    page.wait_for_selector("[data-testid=inline-new_contact]", state="detached")
    contact = Contact.objects.get(name="Paolo Bianchi")
    assert page.input_value("select[name=contact]") == str(contact.pk)
    # what was typed before adding the contact is still there
    assert page.input_value("textarea[name=description]") == "How do I reset the service counter?"
    page.click("[data-testid=create-call]")
    page.wait_for_selector("[data-testid=management-header]")
    page.fill("textarea[name=resolve-solution]", "Explained the reset procedure.")
    page.click("[data-testid=resolve-by-phone]")
    resolved = t("The call was resolved by phone.", language)
    page.wait_for_selector(f'[data-testid=flash]:has-text("{resolved}")')
    second = Call.objects.exclude(pk=call.pk).get()
    assert second.status == State.RESOLVED_BY_PHONE and second.contact == contact

    page.goto("/calls/?status=resolved_by_phone")
    results = page.locator("[data-testid=call-results] tbody tr")
    assert results.count() == 1
    assert second.code in results.first.inner_text()
    assert str(t("Resolved by phone", language)) in results.first.inner_text()
    screenshot(page, "call-search", language)
