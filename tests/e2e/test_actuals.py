"""Quote an intervention from a price list, record two days of hours, an expense and two parts,
let the customer sign on the page, complete it and download the intervention report."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from calls.models import Intervention, State
from tests.calls.factories import make_intervention, plan_with_visit
from tests.conftest import PASSWORD
from tests.e2e.conftest import number, screenshot, t, wait_for_htmx
from tests.orders.factories import make_part
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["en", "it"])
def test_quote_record_sign_and_report(page, login, operator, technician, browser, language):
    """The main journey's second half, in English and in Italian (the users' language)."""
    for user in (operator, technician):
        user.language = language
        user.save(update_fields=["language"])
    intervention = make_intervention(State.EXPECTED, technician=technician)
    make_price_list(name="Standard 2026")
    make_part("BELT-10", description_en="Drive belt")
    make_part("PUMP-20", description_en="Coolant pump")
    manage = f"/calls/{intervention.call_id}/interventions/1/"

    login(operator.username, PASSWORD)
    page.wait_for_selector("h1")
    page.goto(manage)
    page.click("[data-testid=create-quote]")
    page.wait_for_selector("[data-testid=quote-summary]")
    assert page.locator("[data-testid=create-offer]").count() == 1
    page.click(f"[data-testid=quote-summary] a:has-text('{t('Edit', language)}')")
    page.wait_for_url(re.compile(r"/quotes/\d+/$"))
    page.wait_for_load_state("load")  # htmx must have processed the editor before typing
    with page.expect_response("**/totals/"):
        page.fill("input[name='lines-0-quantity']", "3")
    screenshot(page, "quote-editor", language)
    page.click(f"button:has-text('{t('Save quote', language)}')")
    page.wait_for_selector(f'text="{t("Quote saved.", language)}"')
    intervention = Intervention.objects.get(pk=intervention.pk)
    assert intervention.state == State.QUOTED
    plan_with_visit(intervention, operator)
    page.context.clear_cookies()

    login(technician.username, PASSWORD)
    page.wait_for_selector("h1")
    page.goto(manage)
    today = timezone.localdate()
    for day, start, end, labour_total in (
        (today - datetime.timedelta(days=1), "08:00", "12:00", "4.00"),
        (today, "09:00", "11:30", "6.50"),
    ):
        page.wait_for_selector("[data-testid=intervention-hours] input[name=start_time]")
        wait_for_htmx(page, "[data-testid=intervention-hours] form[hx-post]")
        hours = page.locator("[data-testid=intervention-hours]")
        hours.locator("input[name=date]").fill(day.isoformat())
        hours.locator("select[name=kind]").select_option("labour")
        hours.locator("input[name=start_time]").fill(start)
        hours.locator("input[name=end_time]").fill(end)
        hours.locator("textarea[name=description], input[name=description]").first.fill("Repair")
        with page.expect_response(f"**/planner/interventions/{intervention.pk}/hours/"):
            hours.locator(f"button:has-text('{t('Record hours', language)}')").click()
        # The response is swapped in after it arrives: wait for the new total, so the next entry
        # is typed into the fresh form and not into the one being replaced.
        total = number(labour_total, language)
        page.wait_for_selector(f"[data-testid=labour-total]:has-text('{total}')")

    page.select_option("select[name=expense-kind]", "parking")
    page.fill("input[name=expense-date]", today.isoformat())
    page.fill("input[name=expense-amount]", "4.50")
    page.click("[data-testid=add-expense]")
    page.wait_for_selector("[data-testid=expense]")

    for code in ("BELT", "PUMP"):
        wait_for_htmx(page, "[data-testid=part-search]")
        page.fill("[data-testid=part-search]", code.lower())
        page.wait_for_selector(f"[data-testid=part-result]:has-text('{code}')")
        page.locator("[data-testid=part-result]").first.locator("input[name=quantity]").fill("2")
        page.locator("[data-testid=add-part]").first.click()
        page.wait_for_selector(f"[data-testid=part-used]:has-text('{code}')")
    assert page.locator("[data-testid=part-used]").count() == 2

    page.select_option("select[name=note-kind]", "report")
    page.fill("textarea[name=note-text]", "Belt and pump replaced, tested.")
    page.click("[data-testid=add-note]")
    page.wait_for_selector("text=Belt and pump replaced, tested.")
    page.reload()
    page.wait_for_selector(f"[data-testid=comparison-row]:has-text('{number('6.5', language)}')")
    screenshot(page, "intervention-actuals", language)

    pad = page.locator("[data-testid=signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 15, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()
    page.fill("[data-testid=signed-by]", "Mario Rossi")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=signed]")
    screenshot(page, "calls-completed", language)
    intervention.refresh_from_db()
    assert intervention.state == State.DONE
    assert intervention.signature.read().startswith(b"\x89PNG")

    href = page.get_attribute("[data-testid=report-pdf]", "href")
    response = page.request.get(href)
    assert response.ok
    assert response.body().startswith(b"%PDF")
