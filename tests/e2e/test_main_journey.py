"""The main journey, in Italian and in English: the operator takes a call, quotes and plans the
visit; the technician records hours and parts and lets the customer sign; the administrator
verifies and invoices.

Each user works in their own language (their preference), so every page of the journey is checked
against the catalogue of that language: the labels and messages the test looks for come from
``gettext`` under ``translation.override``, never from guessed strings.

With ``SCREENSHOTS=1`` the journey also saves the screenshots of the users' guides
(``docs/screenshots/<lang>/``); see ``guide_screenshot``.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from accounts.secrets import hash_answer
from calls.models import Call, Intervention, State
from invoicing.models import Invoice, InvoiceState
from tests.calls.factories import make_intervention_type
from tests.conftest import PASSWORD
from tests.e2e.conftest import guide_screenshot
from tests.factories import make_contact, make_customer, make_product, make_site, make_unit
from tests.orders.factories import make_part
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db(transaction=True)

# What the users type, in their language (it shows in the guides' screenshots).
TEXTS = {
    "it": {
        "problem": "Il compressore si ferma con l'allarme E42.",
        "work": "Sostituito il pressostato",
        "report": "Sostituito il pressostato, collaudato per un'ora.",
    },
    "en": {
        "problem": "The compressor stops with alarm E42.",
        "work": "Replaced the pressure switch",
        "report": "Replaced the pressure switch, tested for an hour.",
    },
}


def sign(page) -> None:
    pad = page.locator("[data-testid=signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 15, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()


def log_out(page, t) -> None:
    page.click("[data-testid=user-menu]")
    page.get_by_role("button", name=t("Log out"), exact=True).click()
    page.wait_for_selector("input[name=username]")


def scroll_to(page, selector: str) -> None:
    """Bring a section to the top of the window (for the guides' screenshots)."""
    page.locator(selector).first.evaluate(
        "element => element.scrollIntoView({block: 'start', behavior: 'instant'})"
    )


@pytest.mark.parametrize(("lang", "browser_locale"), [("it", "it-IT"), ("en", "en-GB")])
def test_main_journey(page, login, operator, technician, administrator, lang):
    def t(msgid: str) -> str:
        with translation.override(lang):
            return translation.gettext(msgid)

    for user, first, last in (
        (operator, "Olga", "Operatrice"),
        (technician, "Tina", "Tecnica"),
        (administrator, "Anna", "Amministratrice"),
    ):
        user.first_name, user.last_name, user.language = first, last, lang
        # people who set their secret question, so no reminder covers the guides' screenshots
        user.secret_question, user.secret_answer_hash = "?", hash_answer("demo")
        user.save()
    text = TEXTS[lang]
    # the whole journey on a shared machine: waits stay bounded, a little longer than usual
    page.set_default_timeout(30_000)
    customer = make_customer(name="Officine Rossi S.p.A.")
    site = make_site(customer, name="Stabilimento Nord")
    make_contact(customer, site=site, name="Giulia Neri", phone="+39 035 123456")
    unit = make_unit(site, make_product(code="CMP-300"), serial_number="CMP-424242")
    repair = make_intervention_type(name_en="Repair", name_it="Riparazione")
    make_price_list(name="Listino 2026")
    make_part("BELT-10", description_it="Cinghia di trasmissione", description_en="Drive belt")
    today = timezone.localdate().isoformat()
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The operator takes the call: the machine is found by its serial number.
    login(operator.username, PASSWORD)
    page.wait_for_url("**/dashboard/")  # the staff's home
    page.goto("/calls/")
    page.get_by_role("heading", name=t("Calls"), exact=True).wait_for()
    page.get_by_role("link", name=t("New call")).first.click()
    page.get_by_role("heading", name=t("New call")).wait_for()
    page.fill("[data-testid=customer-search]", "4242")
    page.click("[data-testid=picker-results] button:has-text('CMP-424242')")
    page.wait_for_selector("[data-testid=picked-customer]:has-text('Officine Rossi')")
    assert page.input_value("select[name=unit]") == str(unit.pk)
    page.select_option("select[name=contact]", label="Giulia Neri")
    page.fill("textarea[name=description]", text["problem"])
    page.select_option("select[name=priority]", "high")
    guide_screenshot(page, lang, "operator-new-call")
    page.click("[data-testid=create-call]")
    page.wait_for_selector("[data-testid=management-header]")
    call = Call.objects.get()
    code = f"{call.code}/1"
    assert page.locator("[data-testid=intervention-code]").inner_text() == code

    # 2. A visit is needed: the intervention section (saved with htmx).
    page.select_option("select[name=intervention-type]", str(repair.pk))
    page.fill("input[name=intervention-requested_date]", today)
    page.select_option("select[name=intervention-technician]", label="Tina Tecnica")
    page.fill("input[name=intervention-expected_hours]", "3")
    page.click("[data-testid=save-intervention]")
    page.get_by_test_id("flash").get_by_text(t("Intervention data saved.")).wait_for()
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    guide_screenshot(page, lang, "operator-call-management")

    # 3. Quote it from the price list.
    page.click("[data-testid=create-quote]")
    summary = page.locator("[data-testid=quote-summary]")
    summary.wait_for()
    assert "Listino 2026" in summary.inner_text()
    summary.get_by_role("link", name=t("Edit")).click()
    page.get_by_role("button", name=t("Save quote")).wait_for()
    page.wait_for_load_state("load")  # htmx must have processed the editor before typing
    with page.expect_response("**/totals/"):
        page.fill("input[name='lines-0-quantity']", "3")
    guide_screenshot(page, lang, "operator-quote")
    page.get_by_role("button", name=t("Save quote")).click()
    page.get_by_text(t("Quote saved.")).wait_for()
    assert Intervention.objects.get(call=call).state == State.QUOTED

    # 4. Plan it on the board for the technician.
    page.goto("/planner/")
    item = page.locator("[data-testid=unplanned] li", has_text=code)
    item.get_by_role("link", name=t("Plan")).click()
    page.select_option("select[name=technician]", label="Tina Tecnica")
    # Tomorrow: a visit cannot start before the call was received (just now).
    page.fill("input[name=date]", (timezone.localdate() + datetime.timedelta(days=1)).isoformat())
    page.fill("input[name=start_time]", "08:00")
    page.fill("input[name=end_time]", "11:00")
    page.locator("form button[type=submit]").get_by_text(t("Plan"), exact=True).click()
    planned = t("%(code)s planned for %(name)s.") % {"code": code, "name": "Tina Tecnica"}
    page.get_by_text(planned).wait_for()
    board = page.locator(f"[data-testid=planner-board] tr[data-technician='{technician.pk}']")
    assert code in board.inner_text()
    guide_screenshot(page, lang, "operator-planner")
    assert Intervention.objects.get(call=call).state == State.PLANNED
    log_out(page, t)

    # 5. The technician finds it in their list, records hours and parts, and the customer signs.
    login(technician.username, PASSWORD)
    page.get_by_role("heading", name=t("My interventions")).wait_for()
    guide_screenshot(page, lang, "technician-my-interventions")
    page.locator("[data-testid=my-interventions] a", has_text=code).first.click()
    page.wait_for_selector("[data-testid=management-header]")
    hours = page.locator("[data-testid=intervention-hours]")
    hours.locator("input[name=start_time]").wait_for()
    hours.locator("input[name=date]").fill(today)
    hours.locator("select[name=kind]").select_option("labour")
    hours.locator("input[name=start_time]").fill("08:00")
    hours.locator("input[name=end_time]").fill("11:15")
    hours.locator("textarea[name=description], input[name=description]").first.fill(text["work"])
    with page.expect_response("**/planner/interventions/*/hours/"):
        hours.get_by_role("button", name=t("Record hours")).click()
    page.wait_for_selector("[data-testid=labour-total]:has-text('3')")
    page.fill("[data-testid=part-search]", "belt")
    page.wait_for_selector("[data-testid=part-result]:has-text('BELT-10')")
    page.locator("[data-testid=add-part]").first.click()
    page.wait_for_selector("[data-testid=part-used]:has-text('BELT-10')")
    scroll_to(page, "#section-hours")
    guide_screenshot(page, lang, "technician-hours")
    # The signature is asked for only once the report is written: the page says so.
    missing = page.locator("[data-testid=completion-missing]")
    assert t("Write the technician's report (notes section).") in missing.inner_text()
    page.select_option("select[name=note-kind]", "report")
    page.fill("textarea[name=note-text]", text["report"])
    page.click("[data-testid=add-note]")
    page.get_by_test_id("notes").get_by_text(text["report"]).wait_for()
    page.reload()
    page.get_by_text(t("Customer's signature")).wait_for()
    sign(page)
    page.fill("[data-testid=signed-by]", "Giulia Neri")
    scroll_to(page, "#section-completion")
    guide_screenshot(page, lang, "technician-signature")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=signed]")
    assert Intervention.objects.get(call=call).state == State.DONE
    log_out(page, t)

    # 6. The administrator verifies it and invoices the call.
    login(administrator.username, PASSWORD)
    page.goto("/invoicing/verification/")
    page.get_by_role("heading", name=t("Final verification")).wait_for()
    page.get_by_role("link", name=code).first.click()
    page.wait_for_selector("[data-testid=verify]")
    assert t("Verify") in page.inner_text("[data-testid=verify]")
    guide_screenshot(page, lang, "administrator-verification")
    page.click("[data-testid=verify]")
    page.get_by_text(t("Intervention %(code)s verified.") % {"code": code}).wait_for()

    page.goto("/invoicing/to-invoice/")
    group = page.locator("[data-testid=customer-group]")
    group.locator("input[type=checkbox]").first.check()
    page.click("[data-testid=create-draft]")
    page.get_by_text(t("Draft invoice created: review it, then issue it.")).wait_for()
    page.get_by_label(t("I have reviewed this invoice.")).check()
    page.click("[data-testid=issue]")
    page.wait_for_selector("[data-testid=issue]", state="detached")
    invoice = Invoice.objects.get()
    page.get_by_text(t("Invoice %(code)s issued.") % {"code": invoice.code}).wait_for()
    guide_screenshot(page, lang, "administrator-invoice")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ISSUED
    assert Intervention.objects.get(call=call).state == State.INVOICED
