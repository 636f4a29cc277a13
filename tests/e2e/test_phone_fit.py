"""Every page a technician can reach fits a phone: 360 x 740 and 390 x 844, Italian and English.

The pages are those of the permission table (tests/permission_tables) a technician may open
(as the accessibility sweep finds them), plus the pages a technician may open only for their own
work (the rows that answer 404 to the table's outsider technician), opened here as their owner:
the job page in progress (hours, parts, expenses, notes, the signature pad) and a quoted, signed
one (quoted and actual), the day, the activity and the hours of a job. The data are the demo's
(``seed_demo``) with a job started today on top.

A page fails when it scrolls sideways (the document wider than the window), when a visible
element reaches past the window's edges, when a cell of a table stacked as cards has no label
(``data-label``, the column's name shown before the value), when a button or field is smaller
than a 44 px touch target, or when a control is covered by another (two visible buttons, links
or fields overlapping, or the element found at a control's centre is another
control). One live server and one browser for the whole sweep; one context per size.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from calls import demo
from calls.models import (
    Attachment,
    Call,
    ChecklistAnswer,
    ChecklistItem,
    Intervention,
    NoteKind,
    State,
)
from calls.services import actuals, add_note
from customers.models import Unit
from orders.models import SparePart
from planner.models import Activity, ActivityKind
from planner.services import plan_intervention, record_time_entry
from tests.calls.factories import make_call, make_intervention, plan_with_visit
from tests.conftest import PASSWORD
from tests.e2e.conftest import guide_screenshot, number, t, wait_for_htmx
from tests.e2e.test_accessibility import _pages
from tests.factories import make_user
from tests.permission_tables import ADMIN, OPER, TECH
from tests.planner.factories import at
from tests.test_permissions import ROWS, STAFF_FIELDS, _build_world

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = ({"width": 360, "height": 740}, {"width": 390, "height": 844})
LANGUAGES = ("it", "en")
DEMO_PASSWORD = "demo-tech1-2026"  # accounts/demo.py

# What does not fit, as a list of readable descriptions (empty when the page fits).
MEASURE = """() => {
  const width = window.innerWidth;
  const problems = [];
  const name = (el) => {
    const id = el.id ? '#' + el.id : '';
    const test = el.dataset && el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : '';
    const cls = typeof el.className === 'string' && el.className
      ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '';
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '')
      .trim().slice(0, 30);
    return `${el.tagName.toLowerCase()}${id}${test}${cls} "${text}"`;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 || r.left < -1) {
      problems.push(`${name(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
    }
  }
  // Touch targets: buttons and fields at least 44 px (text links in sentences are not counted).
  for (const el of document.querySelectorAll('.btn, .btn-close, .form-control, .form-select')) {
    // Swagger UI draws the API's reference with its own markup (third-party, as in the axe sweep).
    if (!visible(el) || el.closest('#swagger-ui')) continue;
    const r = el.getBoundingClientRect();
    if (r.height < 43.5 || r.width < 43.5) {
      problems.push(`${name(el)} is ${Math.round(r.width)} x ${Math.round(r.height)} px`);
    }
  }
  // A table stacked as cards names each value: every cell of a row carries its column's label
  // (data-label), but a row's only cell (a "nothing found" line spanning the columns), its
  // buttons (.table-actions) and its heading (th scope=row: the row's own name).
  for (const table of document.querySelectorAll('table.table-stack')) {
    if (!visible(table)) continue;
    const cells = table.querySelectorAll(':scope > tbody > tr > td, :scope > tbody > tr > th');
    for (const cell of cells) {
      if (!visible(cell) || cell.hasAttribute('data-label') || cell.hasAttribute('colspan')
          || cell.classList.contains('table-actions') || cell.matches('th[scope=row]')) continue;
      if (cell.parentElement.children.length === 1 || !cell.innerText.trim()) continue;
      problems.push(`${name(cell)} has no data-label (a stacked table's cell)`);
    }
  }
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [role=button]'
  )].filter(visible);
  const related = (a, b) => a === b || a.contains(b) || b.contains(a)
    || (a.labels && [...a.labels].includes(b)) || (b.labels && [...b.labels].includes(a));
  for (let i = 0; i < controls.length; i++) {
    const a = controls[i].getBoundingClientRect();
    for (let j = i + 1; j < controls.length; j++) {
      if (related(controls[i], controls[j])) continue;
      const b = controls[j].getBoundingClientRect();
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 2 && y > 2) problems.push(`${name(controls[i])} overlaps ${name(controls[j])}`);
    }
  }
  for (const el of controls) {
    el.scrollIntoView({block: 'center', inline: 'center'});
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || related(el, hit) || el.contains(hit)) continue;
    const over = hit.closest('a[href], button, input, select, textarea, [role=button]');
    if (over && !related(el, over)) problems.push(`${name(el)} is covered by ${name(over)}`);
  }
  window.scrollTo(0, 0);
  return problems;
}"""


def _start_a_job(technician: User) -> Intervention:
    """The demo's planned job of ``technician``, started today: hours, a part, an expense and a
    note recorded, not signed yet (the signature pad is on its page)."""
    today = timezone.localdate()
    office = User.objects.get(username="operator")
    intervention = Intervention.objects.filter(technician=technician, state=State.PLANNED).first()
    if intervention is None:  # the demo plans on working days: on a Sunday, plan one today
        # A call on one of the demo's machines, received yesterday, for its customer's contact.
        unit = Unit.objects.filter(site__customer__contacts__isnull=False).order_by("pk").first()
        call = make_call(
            by=office,
            unit=unit,
            with_contact=False,
            description="Il compressore si ferma con allarme alta temperatura",
            received_at=timezone.now() - datetime.timedelta(days=1),
        )
        contact = unit.site.customer.contacts.order_by("pk").first()
        Call.objects.filter(pk=call.pk).update(contact=contact)
        intervention = make_intervention(State.EXPECTED, call=call)
        plan_intervention(
            intervention=Intervention.objects.get(pk=intervention.pk),
            technician=technician,
            start=at(today, 8),
            end=at(today, 12),
            acting_user=office,
            notes="Chiamare 30 minuti prima; codice cancello 1234",
            confirm=True,
        )
    activity = intervention.activities.first()
    record_time_entry(
        acting_user=technician,
        user=technician,
        date=today,
        kind="labour",
        hours=Decimal("2.5"),
        intervention=intervention,
        activity=activity,
        description="Sostituzione cinghia e prova a vuoto del compressore principale",
    )
    add_note(
        intervention=intervention,
        acting_user=technician,
        kind=NoteKind.REPORT,
        text="Cinghia usurata sostituita; rumore dal cuscinetto lato motore da ricontrollare.",
    )
    actuals.add_expense(
        intervention=intervention,
        acting_user=technician,
        kind="km",
        date=today,
        km=Decimal("84"),
        km_rate=Decimal("0.55"),
        note="A/R sede cliente",
    )
    part = SparePart.objects.order_by("pk").first()
    if part is not None:
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            spare_part=part,
            quantity=Decimal("1"),
            serial_or_lot="L2611",
        )
    return Intervention.objects.get(pk=intervention.pk)


def _own_pages(technician: User) -> list[str]:
    """The technician's own work: the rows the permission table's outsider technician gets 404
    on, with the owner's records."""
    owned = {row.url_name for row in ROWS if row.method == "get" and row.expect.get(TECH) == 404}
    today = timezone.localdate()
    started = _start_a_job(technician)
    quoted = (
        Intervention.objects.filter(technician=technician, quote__isnull=False)
        .order_by("pk")
        .first()
    )
    office = Activity.objects.filter(technician=technician).exclude(kind=ActivityKind.INTERVENTION)
    pages = {
        "calls:manage": [[i.call_id, i.number] for i in (started, quoted) if i is not None],
        "planner:day": [[technician.pk, today.isoformat()]],
        "planner:intervention_hours": [[started.pk]],
        "planner:activity_update": [[a.pk] for a in office.order_by("start")[:1]],
    }
    assert set(pages) <= owned, "every page here is an owner-only row of the permission table"
    client = Client()
    client.force_login(technician)
    urls = []
    for name, arguments in pages.items():
        for args in arguments:
            url = reverse(name, args=args)
            assert client.get(url).status_code == 200, url
            urls.append(url)
    return urls


def _signed_in_phone(browser, live_server, size, username, password, console):
    """A phone-sized browser context signed in as ``username``; the page's script errors and
    console errors are appended to ``console``."""
    context = browser.new_context(
        service_workers="block",  # no background fetches of the offline worker (conftest)
        base_url=live_server.url,
        viewport=size,
        reduced_motion="reduce",
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(60_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: console.append(f"{page.url}: {exc}"))
    page.on(
        "console",
        lambda msg: console.append(f"{page.url}: {msg.text}") if msg.type == "error" else None,
    )
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_selector("[data-testid=user-menu]", state="attached")
    return context, page


def test_every_technician_page_fits_a_phone_in_italian_and_english(browser, live_server):
    started = time.monotonic()
    world = _build_world()
    call_command("seed_demo", no_logins=True, verbosity=0)
    technician = User.objects.get(username="tech1")
    urls = _pages(world, TECH, technician) + _own_pages(technician)
    assert len(urls) >= 20, urls
    problems: dict[str, list[str]] = {}
    console: list[str] = []
    visited = 0
    for size in SIZES:
        context, page = _signed_in_phone(
            browser, live_server, size, technician.username, DEMO_PASSWORD, console
        )
        for language in LANGUAGES:
            User.objects.filter(pk=technician.pk).update(language=language)
            for url in urls:
                page.goto(url)
                page.wait_for_load_state("networkidle")  # sections htmx loads after the page
                visited += 1
                found = page.evaluate(MEASURE)
                if found:
                    problems[f"{size['width']} {language} {url}"] = found[:8]
        context.close()
    print(f"\nphone sweep: {visited} pages in {time.monotonic() - started:.0f} s")
    report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items())
    assert not problems, f"{len(problems)} pages do not fit a phone:\n{report}"
    assert not console, console


AGENDA_SHOWN = """() => ({
  agenda: !!document.querySelector('[data-testid=agenda]').offsetParent,
  grid: !!document.querySelector('[data-testid=my-calendar]').offsetParent,
})"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_my_calendar_is_an_agenda_on_a_phone_and_a_month_on_a_wide_screen(page, login, language):
    """The agenda on a 390 x 844 phone, one tap to the job; the month grid at 1280 px. With
    SCREENSHOTS=1 the phone's agenda and job page are saved for the technician's guide."""
    call_command("seed_demo", no_logins=True, verbosity=0)
    technician = User.objects.get(username="tech1")
    User.objects.filter(pk=technician.pk).update(language=language)
    started = _start_a_job(technician)
    page.set_viewport_size({"width": 390, "height": 844})
    login(technician.username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=user-menu]", state="attached")
    page.goto("/planner/my/")
    assert page.evaluate(AGENDA_SHOWN) == {"agenda": True, "grid": False}
    today = page.locator(f"[data-day='{timezone.localdate().isoformat()}']")
    visit = today.locator("[data-testid=agenda-visit]").first
    assert visit.locator("[data-testid=agenda-call]").get_attribute("href").startswith("tel:")
    assert visit.locator("[data-testid=agenda-geo]").get_attribute("href").startswith("geo:")
    guide_screenshot(page, language, "technician-phone-agenda")
    visit.locator("[data-testid=agenda-open-job]").click()
    page.wait_for_url(f"**{started.get_absolute_url()}")
    page.wait_for_selector("[data-testid=job-card]")
    page.wait_for_load_state("networkidle")
    # The guide shows the hours as cards (the header and the job's card are above them).
    page.locator("#intervention-hours").evaluate("element => element.scrollIntoView()")
    guide_screenshot(page, language, "technician-phone-job")
    # Hours and report are there: the customer signs on a pad as wide as the phone's card.
    pad = page.locator("[data-testid=signature-pad]").bounding_box()
    assert pad is not None and pad["width"] >= 390 - 2 * 40, pad
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/planner/my/")
    assert page.evaluate(AGENDA_SHOWN) == {"agenda": False, "grid": True}


def _maintenance_job(technician: User, operator: User) -> Intervention:
    """A planned preventive maintenance of ``technician``: the demo's checklist (its labels in
    every language) comes with it."""
    types = demo._seed_types()
    demo._seed_checklist(types)
    intervention = make_intervention(State.EXPECTED, technician=technician)
    Intervention.objects.filter(pk=intervention.pk).update(type=types["maintenance"])
    return plan_with_visit(Intervention.objects.get(pk=intervention.pk), operator)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_checklist_and_the_photos_on_a_phone(page, login, technician, operator, language):
    """On a 390 x 844 phone each checklist item is saved as its field is left: its saved state,
    its own translated error (the answers saved before are kept), the required items named until
    answered; two photos marked "before" and "after" for the report. With SCREENSHOTS=1 both
    sections are saved for the technician's guide."""
    User.objects.filter(pk=technician.pk).update(language=language)
    job = _maintenance_job(technician, operator)
    items = {item.kind: item for item in job.checklist.items.all()}
    page.set_viewport_size({"width": 390, "height": 844})
    login(technician.username, PASSWORD)
    page.wait_for_selector("[data-testid=user-menu]", state="attached")
    page.goto(job.get_absolute_url())

    def item(kind: str) -> str:
        return f"#checklist-item-{items[kind].pk}"

    def answer(kind: str, value: str) -> None:
        wait_for_htmx(page, item(kind))
        field = page.locator(f"#item-{items[kind].pk}")
        if kind in ("yes_no", "choice"):
            field.select_option(value)
        else:
            field.fill(value)
            field.press("Tab")  # leaving the field saves it

    answer("yes_no", "yes")
    page.wait_for_selector(f"{item('yes_no')} [data-state=saved]")
    answer("number", "9")
    error = page.wait_for_selector(f"{item('number')} [data-testid=checklist-item-error]")
    expected = t("The value must be between %(min)s and %(max)s %(unit)s.", language) % {
        "min": "2",
        "max": "6",
        "unit": "bar",
    }
    assert error.inner_text() == expected
    assert page.input_value(f"#item-{items['number'].pk}") == "9"  # kept as typed
    assert page.locator(f"{item('yes_no')} [data-state=saved]").is_visible()
    assert {a.item_id: a.value for a in ChecklistAnswer.objects.filter(intervention=job)} == {
        items["yes_no"].pk: "yes"
    }
    # The completion box, swapped with the item, still names the required items unanswered.
    with translation.override(language):
        label = ChecklistItem.objects.get(pk=items["number"].pk).label
    assert label in page.inner_text("[data-testid=completion-missing]")
    answer("number", number("4.5", language))
    page.wait_for_selector(f"{item('number')} [data-state=saved]")
    answer("choice", "OK")
    page.wait_for_selector(f"{item('choice')} [data-state=saved]")
    answer("text", "Cinghia tesa" if language == "it" else "Belt tensioned")
    page.wait_for_selector(f"{item('text')} [data-state=saved]")
    assert ChecklistAnswer.objects.filter(intervention=job).count() == 4
    assert ChecklistAnswer.objects.get(item=items["number"]).value == "4.5"
    page.evaluate("() => document.activeElement.blur()")
    page.locator("#section-checklist").evaluate("element => element.scrollIntoView()")
    guide_screenshot(page, language, "technician-phone-checklist")

    # Two photos, marked for the report.
    for tag, colour in (("before", (150, 60, 40)), ("after", (40, 120, 70))):
        wait_for_htmx(page, "[data-testid=photo-form]")
        count = page.locator("[data-testid=photo]").count()
        page.set_input_files(
            "[data-testid=photo-form] input[type=file]",
            files=[
                {
                    "name": f"{tag}.jpg",
                    "mimeType": "image/jpeg",
                    "buffer": demo._demo_photo(colour, f"{job.code} {tag}"),
                }
            ],
        )
        page.click("[data-testid=photo-form] button[type=submit]")
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=photo]').length === n", arg=count + 1
        )
        photo = page.locator("[data-testid=photo]").nth(count)
        wait_for_htmx(page, f"[data-testid=photo]:nth-child({count + 1}) form")
        photo.locator("select[name=tag]").select_option(tag)
        photo.locator("form").first.locator("button[type=submit]").click()
        page.wait_for_selector(
            f"[data-testid=photo]:nth-child({count + 1}) [data-testid=photo-tag]"
        )
    tags = sorted(Attachment.objects.filter(intervention=job).values_list("report_tag", flat=True))
    assert tags == ["after", "before"]
    page.locator("#section-photos").evaluate("element => element.scrollIntoView()")
    page.wait_for_load_state("networkidle")  # the thumbnails
    guide_screenshot(page, language, "technician-phone-photos")


# The office's lists (tests/test_stacked_tables_labelled.py checks their labels on every page of
# the permission table; here they are read on a phone, with the permission table's objects).
OFFICE_LISTS = {
    OPER: (
        "calls:call_search",
        "customers:customer_list",
        "contracts:contract_list",
        "quotes:quote_list",
        "quotes:pricelist_list",
        "quotes:pricelist_detail",
        "quotes:pricelist_update",
        "quotes:quote_detail",
        "orders:offer_list",
        "orders:order_list",
        "orders:sparepart_list",
        "stock:move_list",
        "stock:warehouse_list",
        "planner:team_hours",
        "dashboard:home",
    ),
    ADMIN: (
        "accounts:user_list",
        "invoicing:invoice_list",
        "invoicing:draft_list",
        "invoicing:open_items",
        "invoicing:verification_list",
        "invoicing:batch",
        "invoicing:expenses_report",
        "events:endpoint_list",
    ),
}


def test_the_office_lists_fit_a_phone(browser, live_server):
    started = time.monotonic()
    world = _build_world()
    problems: dict[str, list[str]] = {}
    console: list[str] = []
    visited = 0
    for role, names in OFFICE_LISTS.items():
        user = make_user(f"phone-{role}", role, password=PASSWORD, **STAFF_FIELDS.get(role, {}))
        urls = []
        for row in ROWS:
            if row.method == "get" and row.url_name in names and row.expect.get(role) == 200:
                url = reverse(row.url_name, args=row.args(world))
                urls.append(f"{url}?{row.query}" if row.query else url)
        assert {u.split("?")[0] for u in urls}, names
        for size in SIZES:
            context, page = _signed_in_phone(
                browser, live_server, size, user.username, PASSWORD, console
            )
            for language in LANGUAGES:
                User.objects.filter(pk=user.pk).update(language=language)
                for url in dict.fromkeys(urls):
                    page.goto(url)
                    page.wait_for_load_state("networkidle")
                    visited += 1
                    found = page.evaluate(MEASURE)
                    if found:
                        problems[f"{role} {size['width']} {language} {url}"] = found[:8]
            context.close()
    print(f"\noffice phone sweep: {visited} pages in {time.monotonic() - started:.0f} s")
    report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items())
    assert not problems, f"{len(problems)} pages do not fit a phone:\n{report}"
    assert not console, console
