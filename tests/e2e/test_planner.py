"""An operator plans an intervention on the board; the technician sees it and records hours;
the administrator finds them in the team view."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from calls import services as call_services
from calls.models import Intervention, State
from planner.models import TimeEntry
from tests.calls.factories import make_intervention_type
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.factories import make_unit

pytestmark = pytest.mark.django_db(transaction=True)


def test_plan_on_the_board_then_record_hours(page, login, operator, technician, administrator):
    technician.first_name, technician.last_name = "Tina", "Tecnica"
    technician.save()
    unit = make_unit()
    call = call_services.create_call(
        acting_user=operator,
        customer=unit.site.customer,
        site=unit.site,
        unit=unit,
        description="Compressor stops with E42",
        received_at=timezone.now() - datetime.timedelta(days=2),  # before today's 08:00 visit
    )
    intervention = call.interventions.get()
    call_services.fill_intervention_section(
        intervention=intervention,
        acting_user=operator,
        version=None,
        type=make_intervention_type(),
        requested_date=timezone.localdate(),
    )
    today = timezone.localdate().isoformat()

    # The operator plans it from the list beside the board.
    login(operator.username, PASSWORD)
    page.goto("/planner/")
    item = page.locator("[data-testid=unplanned] li", has_text=intervention.code)
    item.get_by_role("link", name="Plan").click()
    page.select_option("select[name=technician]", label="Tina Tecnica")
    page.fill("input[name=date]", today)
    page.fill("input[name=start_time]", "08:00")
    page.fill("input[name=end_time]", "10:30")
    page.click("form button[type=submit]:has-text('Plan')")
    # Once 08:00 is past, the visit is the record of one already made: it must be confirmed.
    planned = page.get_by_text(f"{intervention.code} planned for Tina Tecnica")
    confirm = page.locator("input[type=checkbox][name=confirm]")
    planned.or_(confirm).first.wait_for()
    if confirm.count():
        assert page.get_by_text("visit already made").count() == 1
        confirm.check()
        page.click("form button[type=submit]:has-text('Plan')")
        planned.wait_for()
    row = page.locator(f"[data-testid=planner-board] tr[data-technician='{technician.pk}']")
    assert intervention.code in row.inner_text()
    assert intervention.code not in page.locator("[data-testid=unplanned]").inner_text()
    screenshot(page, "planner-board")
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED

    # The technician sees it in their calendar and records hours on that day.
    page.context.clear_cookies()
    login(technician.username, PASSWORD)
    page.goto("/planner/my/")
    screenshot(page, "planner-my-calendar")
    page.locator("[data-testid=my-calendar] a", has_text=intervention.code).click()
    page.wait_for_selector(f"[data-testid=day-activities] >> text={intervention.code}")
    screenshot(page, "planner-day")
    page.click("text=Hours of this day")
    page.select_option("select[name=kind]", "labour")
    page.fill("input[name=start_time]", "08:00")
    page.fill("input[name=end_time]", "11:15")
    page.select_option("select[name=intervention]", label=intervention.code)
    page.fill("textarea[name=description]", "Replaced the pressure switch")
    page.click("form button[type=submit]:has-text('Add')")
    page.wait_for_selector("text=Hours recorded.")
    assert page.inner_text("[data-testid=day-total]") == "3.25"
    screenshot(page, "planner-hours-day")
    page.click("text=Month")
    page.wait_for_selector("[data-testid=month-total]:has-text('3.25')")
    screenshot(page, "planner-hours-month")
    assert TimeEntry.objects.get().intervention_id == intervention.pk

    # The administrator sees them in the team view.
    page.context.clear_cookies()
    login(administrator.username, PASSWORD)
    page.goto("/planner/hours/team/")
    team_row = page.locator(f"[data-testid=team-hours] tr[data-person='{technician.pk}']")
    assert "3.25" in team_row.inner_text()
    screenshot(page, "planner-team-hours")
    assert Intervention.objects.get(pk=intervention.pk).technician_id == technician.pk


def test_drag_an_intervention_onto_a_day_opens_the_planning_form(page, login, operator, technician):
    unit = make_unit()
    call = call_services.create_call(
        acting_user=operator,
        customer=unit.site.customer,
        site=unit.site,
        unit=unit,
        description="Dryer alarm",
    )
    intervention = call.interventions.get()
    call_services.fill_intervention_section(
        intervention=intervention,
        acting_user=operator,
        version=None,
        type=make_intervention_type(),
        requested_date=timezone.localdate(),
    )
    login(operator.username, PASSWORD)
    page.goto("/planner/")
    cell = page.locator(f"td[data-technician='{technician.pk}']").nth(2)
    day = cell.get_attribute("data-day")
    page.locator("[data-testid=unplanned] li", has_text=intervention.code).drag_to(cell)
    page.wait_for_selector(f"h1:has-text('Plan {intervention.code}')")
    assert page.input_value("select[name=technician]") == str(technician.pk)
    # The form shows the dropped day as the reader writes dates (the cell carries it in ISO).
    year, month, date = day.split("-")
    assert page.input_value("input[name=date]") == f"{date}/{month}/{year}"
