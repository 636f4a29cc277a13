"""Running-hours readings through the API: scoped, checked like the job page's, listed per unit."""

from __future__ import annotations

import pytest

from api.models import Scope
from calls.models import CounterReading, ReadingSource
from tests.factories import make_unit

pytestmark = pytest.mark.django_db
URL = "/api/v1/counter-readings/"


def test_erp_records_readings_and_reads_them_back(api_for):
    unit = make_unit()
    writer = api_for(Scope.COUNTERS_WRITE)
    first = writer.post(
        URL, {"unit": unit.pk, "read_on": "2026-11-01", "hours": "1200.5"}, format="json"
    )
    assert first.status_code == 201, first.content
    assert first.json()["total_hours"] == "1200.5"
    assert CounterReading.objects.get().source == ReadingSource.API
    writer.post(URL, {"unit": unit.pk, "read_on": "2026-11-10", "hours": "1300"}, format="json")
    other = make_unit()
    writer.post(URL, {"unit": other.pk, "read_on": "2026-11-10", "hours": "10"}, format="json")
    listed = api_for(Scope.CUSTOMERS_READ).get(URL, {"unit": unit.pk}).json()
    assert [row["hours"] for row in listed["results"]] == ["1200.5", "1300.0"]


def test_lower_reading_is_a_400_unless_the_counter_was_replaced(api_for):
    unit = make_unit()
    writer = api_for(Scope.COUNTERS_WRITE)
    writer.post(URL, {"unit": unit.pk, "read_on": "2026-11-01", "hours": "500"}, format="json")
    refused = writer.post(
        URL, {"unit": unit.pk, "read_on": "2026-11-02", "hours": "400"}, format="json"
    )
    assert refused.status_code == 400
    assert "new counter" in refused.json()["hours"][0]
    replaced = writer.post(
        URL,
        {"unit": unit.pk, "read_on": "2026-11-02", "hours": "4", "is_replacement": True},
        format="json",
    )
    assert replaced.status_code == 201 and replaced.json()["total_hours"] == "504.0"
    for body in (
        {"unit": unit.pk, "read_on": "2026-11-03", "hours": "-1"},
        {"unit": 999999, "read_on": "2026-11-03", "hours": "1"},
        {"unit": unit.pk, "read_on": "2099-01-01", "hours": "900"},
        {"unit": unit.pk, "read_on": "yesterday", "hours": "900"},
    ):
        assert writer.post(URL, body, format="json").status_code == 400
    assert CounterReading.objects.count() == 2


def test_readings_need_their_scopes(api_for):
    unit = make_unit()
    body = {"unit": unit.pk, "read_on": "2026-11-01", "hours": "1"}
    assert api_for(Scope.CUSTOMERS_READ).post(URL, body, format="json").status_code == 403
    assert api_for(Scope.COUNTERS_WRITE).get(URL).status_code == 403
    assert api_for(Scope.CALLS_READ).get(URL).status_code == 403
    assert not CounterReading.objects.exists()
