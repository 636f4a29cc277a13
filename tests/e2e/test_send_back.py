"""Issue 20: an intervention sent back at final verification is corrected by the technician,
signed again by the customer, verified and invoiced — in English and in Italian."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from calls import services
from calls.models import Intervention, SignedReport, State
from calls.services import actuals
from invoicing.models import Invoice, InvoiceState
from planner.models import TimeEntry
from tests.calls.factories import make_intervention, plan_with_visit
from tests.calls.test_actuals_completion import PNG
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, t

pytestmark = pytest.mark.django_db(transaction=True)


def _signed(technician, operator):
    """A visited intervention with hours and a report, signed by the customer (server side)."""
    intervention = make_intervention(State.EXPECTED, technician=technician)
    plan_with_visit(intervention, operator)
    TimeEntry.objects.create(
        user=technician,
        date=timezone.localdate(),
        hours=Decimal("2"),
        kind="labour",
        intervention=intervention,
        created_by=technician,
    )
    services.add_note(
        intervention=intervention, acting_user=technician, kind="report", text="Belt replaced."
    )
    actuals.complete_intervention(
        intervention=intervention, acting_user=technician, signature_png=PNG, signed_by="Mario"
    )
    return Intervention.objects.get(pk=intervention.pk)


def _log_out(page):
    page.context.clear_cookies()


@pytest.mark.parametrize("language", ["en", "it"])
def test_send_back_fix_sign_again_verify_and_invoice(
    page, login, administrator, operator, technician, language, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    for user in (administrator, technician):
        user.language = language
        user.save(update_fields=["language"])
    intervention = _signed(technician, operator)
    reason = "Il pedaggio manca" if language == "it" else "The toll receipt is missing"

    # The administrator sends it back from the final verification page.
    login(administrator.username, PASSWORD)
    page.wait_for_selector("h1")
    page.goto(f"/invoicing/verification/{intervention.pk}/")
    form = page.locator("form[action$='/send-back/']")
    form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED and intervention.signed_at is None
    _log_out(page)

    # The technician reads why on their home and on the job, fixes it and has it signed again.
    login(technician.username, PASSWORD)
    page.wait_for_selector(f"[data-testid=send-back-reason]:has-text('{reason}')")
    page.click(f"[data-testid=my-interventions] a:has-text('{intervention.code}')")
    page.wait_for_selector(f"[data-testid=send-back-reason]:has-text('{reason}')")
    page.select_option("select[name=expense-kind]", "toll")
    page.fill("input[name=expense-date]", timezone.localdate().isoformat())
    page.fill("input[name=expense-amount]", "6.20")
    page.click("[data-testid=add-expense]")
    page.wait_for_selector("[data-testid=expense]")
    pad = page.locator("[data-testid=signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 15, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()
    page.fill("[data-testid=signed-by]", "Anna Bianchi")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=signed]")
    # Signed: frozen again, and the page says why.
    assert page.locator("[data-testid=add-expense]").count() == 0
    page.wait_for_selector("[data-testid=actuals-frozen]")
    screenshot(page, "calls-signed-again", language)
    intervention.refresh_from_db()
    assert intervention.state == State.DONE and intervention.signed_by == "Anna Bianchi"
    assert list(
        SignedReport.objects.filter(intervention=intervention).values_list(
            "number", "superseded_reason"
        )
    ) == [(1, reason), (2, "")]
    _log_out(page)

    # The administrator verifies it and invoices it.
    login(administrator.username, PASSWORD)
    page.wait_for_selector("h1")
    page.goto(f"/invoicing/verification/{intervention.pk}/")
    page.click("[data-testid=verify]")
    verified = t("Intervention %(code)s verified.", language) % {"code": intervention.code}
    page.wait_for_selector(f"text={verified}")
    assert Intervention.objects.get(pk=intervention.pk).state == State.VERIFIED
    page.goto("/invoicing/to-invoice/")
    group = page.locator("[data-testid=customer-group]")
    group.locator("input[type=checkbox]").first.check()
    page.click("[data-testid=create-draft]")
    page.wait_for_selector("#confirm-issue")
    page.check("#confirm-issue")
    page.click("[data-testid=issue]")
    page.wait_for_selector("[data-testid=invoice-pdf]")
    assert Invoice.objects.get().state == InvoiceState.ISSUED
    assert Intervention.objects.get(pk=intervention.pk).state == State.INVOICED


def test_the_sent_back_reason_is_gone_once_signed_again_and_hours_are_refused_after_signing(
    page, login, administrator, operator, technician, settings, tmp_path
):
    """An attempt to add hours after signing is refused: no form, and a posted one says why."""
    settings.MEDIA_ROOT = tmp_path
    intervention = _signed(technician, operator)
    login(technician.username, PASSWORD)
    page.wait_for_selector("h1")
    page.goto(intervention.get_absolute_url())
    page.wait_for_selector("[data-testid=actuals-frozen]")
    page.wait_for_selector("[data-testid=intervention-hours]")  # the section htmx loads
    assert page.locator("[data-testid=intervention-hours] input[name=start_time]").count() == 0
    token = page.evaluate("document.querySelector('[name=csrfmiddlewaretoken]').value")
    response = page.request.post(
        f"/planner/interventions/{intervention.pk}/hours/",
        form={
            "csrfmiddlewaretoken": token,
            "date": (timezone.localdate() - datetime.timedelta(days=0)).isoformat(),
            "kind": "labour",
            "hours": "3",
            "submission_token": "5b7f7c1e-0000-4000-8000-000000000002",
        },
        headers={"X-CSRFToken": token},
    )
    assert response.status in (200, 302, 400)
    assert TimeEntry.objects.filter(intervention=intervention).count() == 1
