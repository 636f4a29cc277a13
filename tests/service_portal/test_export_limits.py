"""Every CSV and Excel export has a size limit: above it the user is sent back to the same list,
filters kept, with a message that asks for narrower filters; below it the file comes as before."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Role
from calls.models import Call
from customers.models import Customer
from invoicing import services as invoicing_services
from planner.models import TimeEntry
from service_portal.exports import exceeds
from tests.calls.factories import make_call
from tests.factories import make_customer, make_site, make_user
from tests.invoicing.factories import make_verified_call
from tests.orders.factories import make_draft
from tests.planner.factories import make_entry, yesterday


def _calls(user):
    for _ in range(3):
        make_call(by=user)


def _offers(user):
    for _ in range(3):
        make_draft(user, language="en")


def _invoices(user):
    for _ in range(3):
        invoicing_services.create_draft(calls=[make_verified_call()], acting_user=user)


def _hours(user):
    for hours in ("1", "2", "3"):
        make_entry(user, hours=hours)


def _customers(user):
    for _ in range(3):
        make_customer()


MONTH = {"month": f"{yesterday():%Y-%m}"}
# (export, list it sends back to, parameters, who exports, data for three rows)
EXPORTS = [
    ("calls:export_csv", "calls:call_search", {"date_from": "2020-01-01"}, "op", _calls),
    ("calls:export_xlsx", "calls:call_search", {"date_from": "2020-01-01"}, "op", _calls),
    ("orders:offer_export", "orders:offer_list", {"q": ""}, "op", _offers),
    ("invoicing:export_csv", "invoicing:invoice_list", {"state": "draft"}, "admin", _invoices),
    ("invoicing:export_xlsx", "invoicing:invoice_list", {"state": "draft"}, "admin", _invoices),
    ("planner:team_hours_csv", "planner:team_hours", MONTH, "admin", _hours),
    ("planner:team_hours_xlsx", "planner:team_hours", MONTH, "admin", _hours),
]


@pytest.fixture
def limits(settings):
    def set_to(rows: int) -> None:
        settings.EXPORT_MAX_ROWS_CSV = rows
        settings.EXPORT_MAX_ROWS_XLSX = rows

    return set_to


@pytest.mark.parametrize(("url", "back", "params", "who", "make"), EXPORTS)
def test_an_export_over_the_limit_sends_back_to_the_list_with_a_message(
    client_for, administrator, operator, limits, url, back, params, who, make
):
    user = administrator if who == "admin" else operator
    make(user)
    client = client_for(user)
    limits(2)
    response = client.get(reverse(url), {**params, "page": "3"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse(back))
    assert "page=" not in location  # the same filters, from the first page
    for key, value in params.items():
        assert f"{key}={value}" in location
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "more than 2 rows" in text and "Narrow the filters" in text

    limits(3)
    response = client.get(reverse(url), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_the_excel_message_points_to_the_csv_and_its_limit(operator_client, operator, settings):
    _calls(operator)
    settings.EXPORT_MAX_ROWS_XLSX = 2
    settings.EXPORT_MAX_ROWS_CSV = 50_000
    response = operator_client.get(reverse("calls:export_xlsx"), follow=True)
    page = response.content.decode()
    assert "The Excel file would have more than 2 rows" in page
    assert "CSV file (up to 50,000 rows)" in page
    # The CSV of the same search is within its own limit.
    assert operator_client.get(reverse("calls:export_csv")).status_code == 200


def test_the_message_is_in_the_users_language(client_for, limits):
    italian = make_user("italo", Role.OPERATOR, language="it")
    _calls(italian)
    limits(2)
    response = client_for(italian).get(reverse("calls:export_csv"), follow=True)
    assert "più di 2 righe" in response.content.decode()


def test_installed_base_exports_have_limits_too(admin_client_, administrator, limits):
    _customers(administrator)
    limits(2)
    response = admin_client_.get(reverse("customers:export_csv", args=["customers"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("customers:import")
    assert "more than 2 records of this kind" in response.content.decode()
    response = admin_client_.get(reverse("customers:export_xlsx"), follow=True)
    assert "Download each kind as a CSV file instead" in response.content.decode()

    limits(3)
    response = admin_client_.get(reverse("customers:export_csv", args=["customers"]))
    assert response.status_code == 200
    # The workbook holds every kind together: three customers and a site are four rows.
    make_site(Customer.objects.first())
    response = admin_client_.get(reverse("customers:export_xlsx"), follow=True)
    assert "Download each kind as a CSV file instead" in response.content.decode()
    limits(4)
    assert admin_client_.get(reverse("customers:export_xlsx")).status_code == 200


def test_a_refused_export_costs_the_same_few_queries_whatever_the_data(
    operator_client, operator, limits, django_assert_max_num_queries
):
    _calls(operator)
    limits(1)
    with django_assert_max_num_queries(3):
        assert operator_client.get(reverse("calls:export_csv")).status_code == 302
    _calls(operator)
    with django_assert_max_num_queries(3):
        assert operator_client.get(reverse("calls:export_csv")).status_code == 302


def test_the_row_count_stops_just_past_the_limit(operator, django_assert_num_queries):
    _calls(operator)
    _hours(operator)
    calls, entries = Call.objects.all(), TimeEntry.objects.all()
    assert exceeds(calls, 2)
    assert not exceeds(calls, 3)
    assert exceeds([calls, entries], 5)  # 3 + 3 rows
    assert not exceeds([calls, entries], 6)
    with django_assert_num_queries(1):  # the first queryset is already over: no second count
        assert exceeds([calls, entries], 2)
