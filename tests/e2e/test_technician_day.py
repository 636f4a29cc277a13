"""The technician's day on a phone (360 and 430 px wide): job cards without horizontal
scrolling, buttons big enough to tap; and the operator's intake warning of a unit's open call."""

from __future__ import annotations

import pytest

from planner import services
from tests.calls.factories import make_call
from tests.conftest import PASSWORD
from tests.e2e.conftest import t
from tests.factories import make_contact
from tests.planner.factories import at, next_monday, ready_intervention

pytestmark = pytest.mark.django_db(transaction=True)

MEASURE = """() => {
  const root = document.documentElement;
  const small = [...document.querySelectorAll('[data-testid=job-card] a.btn')]
    .map(a => a.getBoundingClientRect())
    .filter(r => r.height < 44 || r.width < 44)
    .length;
  return {overflow: root.scrollWidth > root.clientWidth + 1, small: small,
          buttons: document.querySelectorAll('[data-testid=job-card] a.btn').length};
}"""


@pytest.mark.parametrize("width", [360, 430])
def test_the_technicians_home_fits_a_phone(page, login, technician, operator, width):
    intervention = ready_intervention()
    site = intervention.call.site
    site.address = "Via delle Industrie Meccaniche di Precisione 1234/B, capannone 7"
    site.save()
    services.plan_intervention(
        intervention=intervention,
        technician=technician,
        start=at(next_monday(), 9),
        end=at(next_monday(), 12),
        acting_user=operator,
        notes="Call 30 min before; gate code 1234",
        confirm=True,
    )
    page.set_viewport_size({"width": width, "height": 800})
    login(technician.username, PASSWORD)
    page.goto("/calls/mine/")
    page.wait_for_selector("[data-testid=job-card]")
    assert "Call 30 min before" in page.locator("[data-testid=planner-note]").inner_text()
    assert page.locator("[data-testid=call-contact]").get_attribute("href").startswith("tel:")
    found = page.evaluate(MEASURE)
    assert found["buttons"] >= 3
    assert not found["overflow"], found
    assert found["small"] == 0, found
    page.click("[data-testid=job-link]")
    page.wait_for_selector("[data-testid=management-header]")
    page.wait_for_selector("[data-testid=job-card] [data-testid=planner-note]")
    assert page.evaluate(MEASURE)["small"] == 0


def test_intake_warns_of_the_units_open_call(page, login, operator):
    language = "en"
    open_call = make_call(by=operator)
    unit = open_call.unit
    make_contact(unit.site.customer, site=unit.site, name="Giulia Neri")
    login(operator.username, PASSWORD)
    page.goto("/calls/new/")
    page.fill("[data-testid=customer-search]", unit.serial_number)
    page.click(f"[data-testid=picker-results] button:has-text('{unit.serial_number}')")
    warning = page.wait_for_selector("[data-testid=open-call-warning]")
    assert open_call.code in warning.inner_text()
    # a warning, not a refusal: without a contact the form says so, then the call is created
    page.fill("textarea[name=description]", "Noise again")
    page.click("[data-testid=create-call]")
    message = t("Choose the contact, or say below why there is none.", language)
    page.wait_for_selector(f"text={message}")
    assert page.input_value("textarea[name=description]") == "Noise again"
    page.select_option("select[name=contact]", label="Giulia Neri")
    page.click("[data-testid=create-call]")
    page.wait_for_selector("[data-testid=management-header]")
    assert unit.calls.count() == 2
