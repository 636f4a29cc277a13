"""The maintenance overview (office only, fixed queries, filters) and the running-hours reading
on the job page (the assigned technician, translated refusals, nobody else's job)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from calls.maintenance_job import generate_maintenance
from calls.models import CounterReading, IntervalUnit, MaintenanceOccurrence
from calls.services.maintenance import record_reading
from tests.calls.factories import first_intervention, make_expected_call
from tests.calls.maintenance_factories import make_plan, make_task
from tests.factories import make_customer, make_site, make_unit, make_user

pytestmark = pytest.mark.django_db
SIGNED_IN = 2
OVERVIEW = reverse("calls:maintenance_due")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.SESSION_REFRESH_SECONDS = 3600


@pytest.fixture
def office(db):
    make_user("boss", Role.ADMINISTRATOR)
    return make_user("desk", Role.OPERATOR)


def _due_soon(technician=None, customer=None, days_ago: int = 0):
    """A unit with a monthly task whose occurrence falls due in a few days (or is overdue)."""
    unit = make_unit(site=make_site(customer or make_customer()))
    start = timezone.localdate() - datetime.timedelta(days=30 + days_ago)
    plan = make_plan(
        unit=unit, technician=technician, starts_on=start, lead_days=0, name=f"Plan {unit.pk}"
    )
    make_task(plan, every=30, interval_unit=IntervalUnit.DAYS, description="Oil change")
    return unit


def test_overview_lists_what_falls_due_with_a_fixed_number_of_queries(
    client_for, office, django_assert_num_queries
):
    technician = make_user("tech", Role.TECHNICIAN)
    _due_soon(technician)
    generate_maintenance()
    client = client_for(office)
    # the technicians of the filter, the count (capped), the page with its relations
    with django_assert_num_queries(SIGNED_IN + 3):
        one = client.get(OVERVIEW)
    for _ in range(4):
        _due_soon(technician)
    generate_maintenance()
    with django_assert_num_queries(SIGNED_IN + 3):
        five = client.get(OVERVIEW)
    assert one.content.decode().count('data-testid="maintenance-row"') == 1
    assert five.content.decode().count('data-testid="maintenance-row"') == 5
    assert "Oil change" in five.content.decode()


def test_overview_filters_by_technician_customer_and_overdue(client_for, office):
    anna, bruno = make_user("anna", Role.TECHNICIAN), make_user("bruno", Role.TECHNICIAN)
    acme = make_customer(name="Acme Tools")
    _due_soon(anna, customer=acme)
    late = _due_soon(bruno, days_ago=10)
    MaintenanceOccurrence.objects.all().delete()
    generate_maintenance()  # the overdue one gets its intervention (lead time 0)
    client = client_for(office)
    rows = lambda response: response.content.decode().count('data-testid="maintenance-row"')  # noqa: E731
    assert rows(client.get(OVERVIEW)) == 2
    assert rows(client.get(OVERVIEW, {"technician": anna.pk})) == 1
    assert rows(client.get(OVERVIEW, {"technician": bruno.pk})) == 1
    assert rows(client.get(OVERVIEW, {"customer": acme.pk})) == 1
    overdue = client.get(OVERVIEW, {"overdue": "1"})
    assert rows(overdue) == 1 and late.serial_number in overdue.content.decode()
    assert rows(client.get(OVERVIEW, {"q": "Acme"})) == 1
    # a nonsense filter is an error above an empty list, never a 500
    assert client.get(OVERVIEW, {"weeks": "9999", "technician": "x"}).status_code == 200
    # a customer number no record can have (beyond the database's range, negative, a
    # fraction) shows no rows
    for number in ("99999999999999999999999", "-3", "1.5", "1e30"):
        response = client.get(OVERVIEW, {"customer": number})
        assert response.status_code == 200 and rows(response) == 0, number


def test_overview_is_for_the_office_only(client_for, office):
    _due_soon()
    generate_maintenance()
    assert client_for(make_user("tech", Role.TECHNICIAN)).get(OVERVIEW).status_code == 403
    assert client_for(None).get(OVERVIEW).status_code == 302
    menu = client_for(office).get(reverse("calls:call_search")).content.decode()
    assert OVERVIEW in menu
    tech_menu = client_for(make_user("t2", Role.TECHNICIAN)).get(reverse("calls:my_interventions"))
    assert OVERVIEW not in tech_menu.content.decode()


# --- The reading on the job page ---------------------------------------------------------------
@pytest.fixture
def job(office):
    technician = make_user("tech", Role.TECHNICIAN)
    call = make_expected_call(by=office, technician=technician)
    return first_intervention(call), technician


def _reading(hours: str, **extra) -> dict:
    data = {
        "counter-hours": hours,
        "counter-read_on": timezone.localdate().isoformat(),
        "counter-submission_token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


def _url(intervention) -> str:
    return reverse("calls:reading_add", args=[intervention.call_id, intervention.number])


def test_technician_records_a_reading_on_the_job_page(client_for, job):
    intervention, technician = job
    client = client_for(technician)
    page = client.get(intervention.get_absolute_url()).content.decode()
    assert "No reading recorded yet." in page and 'data-testid="add-reading"' in page
    response = client.post(_url(intervention), _reading("1234.5"))
    assert response.status_code == 302  # back to the job page
    reading = CounterReading.objects.get()
    assert reading.unit_id == intervention.call.unit_id
    assert reading.hours == Decimal("1234.5") and reading.recorded_by == technician
    page = client.get(intervention.get_absolute_url()).content.decode()
    assert "Last reading: 1234.5 hours" in page


def test_lower_reading_is_refused_in_the_users_language_unless_a_new_counter(client_for, job):
    intervention, technician = job
    unit = intervention.call.unit
    record_reading(
        unit=unit,
        hours=Decimal(2000),
        read_on=timezone.localdate() - datetime.timedelta(days=5),
        acting_user=None,
    )
    technician.language = "it"
    technician.save(update_fields=["language"])
    client = client_for(technician)
    refused = client.post(_url(intervention), _reading("1500"))
    text = refused.content.decode()
    assert 'data-testid="counter-error"' in text
    assert "nuovo contatore" in text  # Italian, with the previous reading
    assert CounterReading.objects.count() == 1
    client.post(_url(intervention), _reading("12", **{"counter-is_replacement": "on"}))
    assert CounterReading.objects.count() == 2
    assert CounterReading.objects.latest("pk").total_hours == Decimal(2012)
    bad = client.post(_url(intervention), _reading("abc")).content.decode()
    assert "Inserisci un numero." in bad and CounterReading.objects.count() == 2


def test_another_technician_cannot_record_on_someone_elses_job(client_for, job):
    intervention, _technician = job
    outsider = client_for(make_user("other", Role.TECHNICIAN))
    assert outsider.post(_url(intervention), _reading("10")).status_code == 404
    assert not CounterReading.objects.exists()


def test_no_reading_form_on_a_call_without_unit(client_for, office):
    call = make_expected_call(by=office)
    intervention = first_intervention(call)
    type(call).objects.filter(pk=call.pk).update(unit=None)
    page = client_for(office).get(intervention.get_absolute_url()).content.decode()
    assert 'id="section-counter"' not in page
    response = client_for(office).post(_url(intervention), _reading("10"))
    assert CounterReading.objects.count() == 0
    assert response.status_code == 200
