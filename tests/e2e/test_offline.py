"""Working without signal: the technician opens today's job with the network switched off (the
saved copy), records hours, a note, an expense with its receipt and a photo; nothing reaches the
portal until the network is back, then each entry is stored exactly once. When the office changes
the job meanwhile, the entry is shown as a conflict on the phone and nothing is overwritten."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from calls import services as call_services
from calls.models import Attachment, Expense, Intervention, InterventionNote, State
from planner.models import TimeEntry
from tests.calls.factories import make_intervention, plan_with_visit
from tests.conftest import PASSWORD
from tests.e2e.conftest import VIEWPORT, t

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGE = "en"
# A conflict is answered 409 on purpose: the browser logs every 4xx answer in the console.
EXPECTED_IN_CONSOLE = "the server responded with a status of 409 (Conflict)"


@pytest.fixture
def page(browser, live_server):
    """The e2e page (tests/e2e/conftest.py) on a phone-sized screen, failing on any console
    error but the conflict's 409, which is the behaviour under test."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport=VIEWPORT, reduced_motion="reduce"
    )
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(60_000)
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and EXPECTED_IN_CONSOLE not in msg.text
            else None
        ),
    )
    yield page
    context.close()
    assert not errors, f"errors in the browser console: {errors}"


def receipt_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def planned_job(technician, operator) -> Intervention:
    """A job the technician visits tomorrow: one of the pages the phone keeps."""
    return plan_with_visit(make_intervention(State.QUOTED, technician=technician), operator)


def ready_for_offline(page, login, technician) -> None:
    """Signed in; the service worker in charge and the day's pages kept on the phone."""
    login(technician.username, PASSWORD)
    page.wait_for_selector("[data-testid=my-interventions], h1")
    page.wait_for_function("() => document.documentElement.dataset.offlineReady === 'yes'")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def settle(page) -> None:
    """The reloaded job page has loaded its hours and kept the day's pages again: no request
    is left running when the test's database goes."""
    page.wait_for_selector("[data-testid=intervention-hours]")
    page.wait_for_function("() => document.documentElement.dataset.offlineReady === 'yes'")


def wait_for_count(page, count: str) -> None:
    page.wait_for_function(
        "count => document.getElementById('outbox-count').textContent === count", arg=count
    )


def outbox_count(page) -> str:
    return page.inner_text("[data-testid=outbox-count]")


def open_saved_job(page, intervention) -> None:
    page.context.set_offline(True)
    page.goto(intervention.get_absolute_url())
    page.wait_for_selector("[data-testid=management-header]")
    page.wait_for_selector("[data-testid=offline-banner]", state="visible")


def test_entries_typed_offline_are_sent_once_when_the_signal_returns(
    page, login, technician, operator
):
    intervention = planned_job(technician, operator)
    ready_for_offline(page, login, technician)
    open_saved_job(page, intervention)
    banner = page.inner_text("[data-testid=offline-banner]")
    assert "Offline: saved copy from" in banner

    # Hours: the section comes from the saved copy too.
    hours = page.locator("[data-testid=intervention-hours]")
    hours.locator("input[name=start_time]").wait_for()
    hours.locator("input[name=date]").fill(timezone.localdate().isoformat())
    hours.locator("select[name=kind]").select_option("labour")
    hours.locator("input[name=start_time]").fill("08:00")
    hours.locator("input[name=end_time]").fill("10:30")
    hours.locator("textarea[name=description], input[name=description]").first.fill("Basement")
    hours.locator(f"button:has-text('{t('Record hours', LANGUAGE)}')").click()
    wait_for_count(page, "1")

    page.select_option("select[name=note-kind]", "report")
    page.fill("textarea[name=note-text]", "Pump replaced without signal.")
    page.click("[data-testid=add-note]")
    wait_for_count(page, "2")

    page.select_option("select[name=expense-kind]", "parking")
    page.fill("input[name=expense-date]", timezone.localdate().isoformat())
    page.fill("input[name=expense-amount]", "4.50")
    page.set_input_files(
        "input[name=expense-receipt]",
        files=[{"name": "ticket.png", "mimeType": "image/png", "buffer": receipt_png()}],
    )
    page.click("[data-testid=add-expense]")
    wait_for_count(page, "3")

    # A photo of the work, taken in the basement (the photo form posts like the others).
    photo_form = page.locator("[data-testid=photo-form]")
    photo_form.locator("input[type=file]").set_input_files(
        files=[{"name": "pump.png", "mimeType": "image/png", "buffer": receipt_png()}]
    )
    photo_form.locator("button[type=submit]").click()
    wait_for_count(page, "4")
    entries = page.locator("[data-testid=outbox-entry]")
    assert entries.count() == 4
    assert intervention.code in entries.first.inner_text()
    # Nothing has reached the portal.
    assert not TimeEntry.objects.filter(intervention=intervention).exists()
    assert not intervention.notes.exists()
    assert not Expense.objects.filter(intervention=intervention).exists()
    assert not Attachment.objects.filter(intervention=intervention).exists()

    page.context.set_offline(False)
    # Sent in order; once the outbox is empty the job page reloads with what was sent.
    page.wait_for_selector("[data-testid=notes]:has-text('Pump replaced without signal.')")
    page.wait_for_selector("[data-testid=outbox]", state="hidden")
    assert TimeEntry.objects.filter(intervention=intervention).count() == 1
    entry = TimeEntry.objects.get(intervention=intervention)
    assert (entry.start_time, entry.end_time) == (datetime.time(8), datetime.time(10, 30))
    assert InterventionNote.objects.filter(intervention=intervention).count() == 1
    expense = Expense.objects.get(intervention=intervention)
    assert expense.receipt.read().startswith(b"\x89PNG")
    photo = Attachment.objects.get(intervention=intervention)
    assert photo.file.read().startswith(b"\xff\xd8")  # converted to JPEG on the server
    assert page.evaluate("() => PortalOutbox.list().then(e => e.length)") == 0

    # The same entries sent again (an answer lost on the way back): nothing doubles.
    page.reload()
    page.wait_for_selector("[data-testid=management-header]")
    assert TimeEntry.objects.filter(intervention=intervention).count() == 1
    assert InterventionNote.objects.filter(intervention=intervention).count() == 1
    assert Expense.objects.filter(intervention=intervention).count() == 1
    assert Attachment.objects.filter(intervention=intervention).count() == 1
    settle(page)


def test_a_change_in_the_office_meanwhile_is_shown_not_overwritten(
    page, login, technician, operator
):
    intervention = planned_job(technician, operator)
    ready_for_offline(page, login, technician)
    open_saved_job(page, intervention)
    page.select_option("select[name=note-kind]", "report")
    page.fill("textarea[name=note-text]", "Typed on the old copy.")
    page.click("[data-testid=add-note]")
    wait_for_count(page, "1")

    # Meanwhile the office changes the job (what to bring).
    fresh = Intervention.objects.get(pk=intervention.pk)
    call_services.fill_intervention_section(
        intervention=fresh,
        acting_user=operator,
        version=fresh.version,
        type=fresh.type,
        requested_date=fresh.requested_date,
        technician=technician,
        what_to_bring="Ladder and the new pump",
    )

    page.context.set_offline(False)
    conflict = page.wait_for_selector("[data-testid=outbox-conflict]", state="visible")
    assert "The office changed this job" in conflict.inner_text()
    assert outbox_count(page) == "1"
    assert not InterventionNote.objects.filter(intervention=intervention).exists()
    assert Intervention.objects.get(pk=intervention.pk).what_to_bring == "Ladder and the new pump"

    # Seen: the technician sends it anyway, once.
    page.click("[data-testid=outbox-entry] [data-action=force]")
    page.wait_for_selector("[data-testid=notes]:has-text('Typed on the old copy.')")
    assert InterventionNote.objects.filter(intervention=intervention).count() == 1
    assert Intervention.objects.get(pk=intervention.pk).what_to_bring == "Ladder and the new pump"
    settle(page)


def test_discarding_asks_and_logging_out_forgets_the_phones_copy(page, login, technician, operator):
    intervention = planned_job(technician, operator)
    ready_for_offline(page, login, technician)
    open_saved_job(page, intervention)
    page.fill("textarea[name=note-text]", "Never mind.")
    page.click("[data-testid=add-note]")
    wait_for_count(page, "1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=outbox-entry] [data-action=discard]")
    page.wait_for_selector("[data-testid=outbox]", state="hidden")
    page.context.set_offline(False)
    assert not InterventionNote.objects.filter(intervention=intervention).exists()

    page.goto("/calls/mine/")
    page.wait_for_function("() => document.documentElement.dataset.offlineReady === 'yes'")
    kept = "() => caches.open('portal-pages').then(c => c.keys()).then(k => k.length)"
    assert page.evaluate(kept) > 0
    page.click(".navbar-toggler")
    page.click("[data-testid=user-menu]")
    page.click(f"form[data-logout] button:has-text('{t('Log out', LANGUAGE)}')")
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate(kept) == 0
    assert page.evaluate("() => indexedDB.databases().then(d => d.map(x => x.name))") == []


def test_checklist_answers_typed_offline_are_sent_once(page, login, technician, operator):
    """Each item answered without signal waits on the phone, marked so, what was typed still
    in view; when the signal returns each is stored once."""
    from calls.models import ChecklistAnswer
    from tests.e2e.test_phone_fit import _maintenance_job

    intervention = _maintenance_job(technician, operator)
    items = {item.kind: item for item in intervention.checklist.items.all()}
    ready_for_offline(page, login, technician)
    open_saved_job(page, intervention)
    page.wait_for_function(
        "id => !!(document.getElementById(id) || {})['htmx-internal-data']",
        arg=f"checklist-item-{items['yes_no'].pk}",
    )
    page.select_option(f"#item-{items['yes_no'].pk}", "yes")
    wait_for_count(page, "1")
    page.fill(f"#item-{items['number'].pk}", "4,5")
    page.press(f"#item-{items['number'].pk}", "Tab")
    wait_for_count(page, "2")
    for kind in ("yes_no", "number"):
        assert page.locator(f"#checklist-item-{items[kind].pk} [data-state=queued]").is_visible()
    assert page.input_value(f"#item-{items['number'].pk}") == "4,5"  # still in view
    assert not ChecklistAnswer.objects.filter(intervention=intervention).exists()

    page.evaluate("() => document.activeElement.blur()")
    page.context.set_offline(False)
    page.wait_for_selector("[data-testid=outbox]", state="hidden")
    page.wait_for_selector(f"#checklist-item-{items['number'].pk} [data-state=saved]")
    answers = {
        a.item_id: a.value for a in ChecklistAnswer.objects.filter(intervention=intervention)
    }
    assert answers == {items["yes_no"].pk: "yes", items["number"].pk: "4.5"}
    settle(page)
