"""The dashboard page, its filters, the CSV and the customer picker, as users meet them."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.dashboard.dataset import Builder, oct_
from tests.downloads import csv_rows
from tests.factories import make_customer, make_site, make_unit

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:home")
OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


def test_administrators_and_operators_land_on_the_dashboard(admin_client_, operator_client):
    for client in (admin_client_, operator_client):
        assert client.get(reverse("home"))["Location"] == URL


def test_technicians_are_refused(technician_client):
    assert technician_client.get(URL).status_code == 403
    assert technician_client.get(reverse("dashboard:export_csv")).status_code == 403


def test_dashboard_shows_the_figures_in_tables_and_hands_them_to_the_charts(operator_client, data):
    response = operator_client.get(URL, OCTOBER)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="received">6<' in page
    assert 'data-testid="phone-share">40.0 %<' in page
    assert 'data-testid="to-first-visit">14.0 h<' in page
    # From a day up, in days and hours (never "332.5 h").
    assert 'data-testid="to-completion">1 day 12 h<' in page
    assert 'data-testid="kpi-overdue">3<' in page
    charts = response.context["charts"]
    assert charts["phone"]["series"][0]["data"] == [2, 3]
    assert charts["hours"]["series"][1]["data"] == [6.5, 3.0]
    assert charts["top_units"]["labels"] == ["SN-U3", "SN-U1", "SN-U2"]
    # The data block the script reads (no inline script: the CSP forbids them).
    assert '<script id="dashboard-charts" type="application/json">' in page
    assert "vendor/chart.js/chart.umd.min.js" in page


def test_numbers_follow_the_reader_language(client_for, data):
    from accounts.models import Role
    from tests.factories import make_user

    italian = make_user("italo", Role.ADMINISTRATOR, language="it")
    client = client_for(italian)
    with translation.override("it"):
        page = client.get(URL, OCTOBER, headers={"accept-language": "it"}).content.decode()
    assert "Cruscotto" in page
    assert 'data-testid="phone-share">40,0 %<' in page
    assert 'data-testid="to-first-visit">14,0 h<' in page


def test_without_filters_the_last_30_days_are_shown(operator_client, data):
    response = operator_client.get(URL)
    filters = response.context["filters"]
    assert filters.date_to - filters.date_from == datetime.timedelta(days=29)
    assert filters.customer is None


def test_presets_keep_the_other_filters(operator_client, data):
    response = operator_client.get(URL, {**OCTOBER, "technician": data.tech_a.pk})
    links = response.context["presets"]
    assert [link["label"] for link in links][:2] == ["Last 30 days", "This month"]
    assert all(f"technician={data.tech_a.pk}" in link["query"] for link in links)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-10-31", "date_to": "2026-10-01"}, "date_to", "comes before"),
        ({"date_from": "2026-13-01"}, "date_from", "Enter a valid date."),
        ({"date_to": "9999-12-31"}, "date_to", "Choose a date between"),
        ({"customer": "999999"}, "customer", "That customer does not exist."),
        ({"customer": "abc"}, "customer", "That customer does not exist."),
        ({"customer": "1\x00"}, "customer", "Null characters are not allowed."),
        ({"date_from": "2026-01-01\x00"}, "date_from", "Enter a valid date."),
        ({"customer": "9" * 30}, "customer", "That customer does not exist."),
        ({"technician": "abc"}, "technician", "Select a valid choice."),
        ({"intervention_type": "0"}, "intervention_type", "Select a valid choice."),
    ],
)
def test_invalid_filters_are_explained_not_crashed_on(operator_client, params, field, message):
    response = operator_client.get(URL, params)
    assert response.status_code == 200
    assert response.context["figures"] is None
    assert message in " ".join(response.context["form"].errors[field])
    assert b'data-testid="filter-errors"' in response.content
    # The CSV of wrong filters sends the user back to the dashboard to correct them.
    export = operator_client.get(reverse("dashboard:export_csv"), params)
    assert export.status_code == 302
    assert export["Location"].startswith(URL)


def test_filters_by_customer_technician_and_type(operator_client, data):
    def received(**params):
        # Each filter renders its figures (a cache miss), so their context is the response's.
        response = operator_client.get(URL, {**OCTOBER, **params})
        return response.context["board"].calls.received

    assert received(customer=data.c1.pk) == 3
    assert received(technician=data.tech_b.pk) == 1
    assert received(intervention_type=data.t2.pk) == 1
    response = operator_client.get(URL, {**OCTOBER, "customer": data.c1.pk})
    # The chosen customer's name is shown in the picker's box.
    assert b'value="Acme Macchine"' in response.content


def _csv(response, delimiter: str = ",") -> list[list[str]]:
    return csv_rows(response, delimiter)


def test_csv_has_every_figure_of_the_chosen_filters(operator_client, data):
    response = operator_client.get(reverse("dashboard:export_csv"), OCTOBER)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "dashboard-2026-10-01-2026-10-31.csv" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Section", "Item", "Detail", "Value"]
    table = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    assert table[("Filters", "From", "")] == "2026-10-01"
    assert table[("Open calls by state", "Planned", "")] == "3"
    assert table[("Workload now", "Overdue interventions", "")] == "3"
    assert table[("Calls received in the period", "Calls received", "")] == "6"
    assert table[("Calls received in the period", "Share resolved by phone (%)", "")] == "40.0"
    assert (
        table[
            (
                "Calls received in the period",
                "Average time from call to first visit (hours)",
                "2 calls",
            )
        ]
        == "14.0"
    )
    assert table[("Hours quoted vs actual", "Labour hours", "Actual")] == "6.50"
    assert table[("Hours quoted vs actual", "Total hours", "Difference")] == "0.50"
    assert table[("Top units by calls", "SN-U3", "BBB-2 – Beta Foods")] == "3"
    assert table[("Top products by calls", "AAA-1", "Press")] == "3"
    assert table[("Activity per technician", "Alice Rossi", "Other hours")] == "1.00"


def test_csv_headers_are_translated(client_for, data):
    from accounts.models import Role
    from tests.factories import make_user

    client = client_for(make_user("italo", Role.OPERATOR, language="it"))
    with translation.override("it"):
        rows = _csv(client.get(reverse("dashboard:export_csv"), OCTOBER), delimiter=";")
    assert rows[0] == ["Sezione", "Voce", "Dettaglio", "Valore"]


def test_customer_picker_finds_by_name_and_vat_number(operator_client):
    make_customer(name="Officine Rossi", vat_number="IT01234567890")
    make_customer(name="Panificio Bianchi")
    url = reverse("dashboard:customer_picker")
    by_name = operator_client.get(url, {"q": "rossi"}).content.decode()
    assert "Officine Rossi" in by_name and "Panificio" not in by_name
    assert "Officine Rossi" in operator_client.get(url, {"q": "0123456"}).content.decode()
    assert "Nothing matches" in operator_client.get(url, {"q": "zzz"}).content.decode()
    assert b"list-group" not in operator_client.get(url, {"q": "r"}).content


def _count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


def _more_data(data, calls: int) -> None:
    b = Builder(data.office)
    for n in range(calls):
        customer = make_customer(name=f"Extra {n}")
        unit = make_unit(make_site(customer))
        b.call(unit, oct_(1 + n % 28, 9))


def test_query_count_does_not_grow_with_the_data(operator_client, data, django_assert_num_queries):
    """Rendered (the first request after a change) or from the cache (dashboard.figures), the
    page runs the same queries whatever the amount of data."""
    params = {**OCTOBER, "customer": data.c2.pk, "technician": data.tech_a.pk}
    small = _count_queries(operator_client, params)
    plain_small = _count_queries(operator_client, OCTOBER)
    cached = _count_queries(operator_client, OCTOBER)
    cached_small = _count_queries(operator_client, params)
    _more_data(data, 30)  # new calls in October: new stamps, the figures are rendered again
    with django_assert_num_queries(small):
        operator_client.get(URL, params)
    with django_assert_num_queries(plain_small):
        operator_client.get(URL, OCTOBER)
    with django_assert_num_queries(cached_small):
        operator_client.get(URL, params)
    with django_assert_num_queries(cached):
        operator_client.get(URL, OCTOBER)
    # Rendered: session + user, the filter choices (technicians, types), the stamps of the
    # period (read first, dashboard.figures), 16 for the figures (the top units: the stamps of
    # the period's days again, then the rows), 2 for the customers' recent answers (offers,
    # quotes) and 3 for the SLA compliance (total, per customer, per technician).
    assert plain_small <= 26
    # From the cache: session + user, the filter choices, the stamps, the open calls and the
    # workload's two (their values are in the key), the recent answers (the chosen customer and
    # technician: two more).
    assert cached <= 10
    assert cached_small <= cached + 2


def test_csv_query_count_does_not_grow_with_the_data(operator_client, data):
    url = reverse("dashboard:export_csv")
    with CaptureQueriesContext(connection) as before:
        operator_client.get(url, OCTOBER)
    _more_data(data, 30)
    with CaptureQueriesContext(connection) as after:
        operator_client.get(url, OCTOBER)
    assert len(after) == len(before)


def test_charts_payload_is_valid_json(operator_client, data):
    response = operator_client.get(URL, OCTOBER)
    page = response.content.decode()
    start = page.index('<script id="dashboard-charts" type="application/json">')
    body = page[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert set(json.loads(body)) == {
        "open_calls",
        "phone",
        "hours",
        "top_units",
        "top_products",
        "technicians",
    }


def test_dashboard_is_the_first_menu_entry_of_staff_only(operator, technician):
    from service_portal.navigation import items_for

    first = items_for(operator)[0]["items"][0]
    assert first["url"] == URL
    assert all(item["url"] != URL for group in items_for(technician) for item in group["items"])
