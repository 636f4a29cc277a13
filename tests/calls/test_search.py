"""The call search at /calls/: every filter alone and combined, sorting, export, query count."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from calls import services
from calls.models import Call, State
from tests.calls.factories import (
    first_intervention,
    make_call,
    make_expected_call,
    make_intervention_type,
)
from tests.factories import make_customer, make_site, make_unit

pytestmark = pytest.mark.django_db

URL = "/calls/"


def _at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, 10, 0))


@pytest.fixture
def world(operator, technician, other_technician):
    """Three calls that differ in every filtered field."""
    repair, install = (
        make_intervention_type(name_en="Repair"),
        make_intervention_type(name_en="Installation"),
    )
    acme = make_site(make_customer(name="Acme Tools"))
    beta = make_site(make_customer(name="Beta Steel"))
    a = make_call(by=operator, unit=make_unit(acme, serial_number="AAA-111"), received_at=_at(2))
    b = make_call(by=operator, unit=make_unit(beta, serial_number="BBB-222"), received_at=_at(10))
    c = make_call(by=operator, unit=make_unit(acme, serial_number="CCC-333"), received_at=_at(20))
    for call, kind, tech in ((a, repair, technician), (b, install, other_technician)):
        services.fill_intervention_section(
            intervention=first_intervention(call),
            acting_user=operator,
            version=None,
            type=kind,
            requested_date=datetime.date(2026, 4, 1),
            technician=tech,
        )
    services.resolve_by_phone(call=c, acting_user=operator, solution="Reset.")
    return {"a": a, "b": b, "c": c, "repair": repair, "install": install}


def _codes(client, **params):
    """The intervention codes the search lists."""
    response = client.get(URL, params)
    assert response.status_code == 200
    return {row.code for row in response.context["object_list"]}


def _expect(world, *keys):
    """The codes of the (only) interventions of these calls."""
    return {f"{world[k].code}/1" for k in keys}


def _call_codes(world, *keys):
    return {world[k].code for k in keys}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ("a", "b", "c")),
        ({"date_from": "2026-03-05"}, ("b", "c")),
        ({"date_to": "2026-03-10"}, ("a", "b")),
        ({"call_code": "a"}, ("a",)),
        ({"intervention_code": "b"}, ("b",)),
        ({"status": State.RESOLVED_BY_PHONE}, ("c",)),
        ({"status": State.EXPECTED}, ("a", "b")),
        ({"intervention_type": "install"}, ("b",)),
        ({"customer": "acme"}, ("a", "c")),
        ({"technician": "tina"}, ("a",)),
        ({"serial_number": "bbb"}, ("b",)),
    ],
    ids=lambda value: str(value),
)
def test_each_filter_alone(operator_client, world, technician, params, expected):
    resolved = {}
    for key, value in params.items():
        if key in ("call_code", "intervention_code"):
            value = world[value].code + ("/1" if key == "intervention_code" else "")
        elif key == "intervention_type":
            value = world[value].pk
        elif key == "technician":
            value = technician.pk
        resolved[key] = value
    assert _codes(operator_client, **resolved) == _expect(world, *expected)


@pytest.mark.parametrize("limit", [1000, 1], ids=["units listed", "more units than listed"])
def test_a_serial_number_part_finds_the_calls_of_every_matching_unit(
    operator_client, world, monkeypatch, limit
):
    monkeypatch.setattr("calls.filters.UNIT_IDS_LIMIT", limit)
    assert _codes(operator_client, serial_number="-") == _expect(world, "a", "b", "c")
    assert _codes(operator_client, serial_number="a-1") == _expect(world, "a")
    assert _codes(operator_client, serial_number="zzz") == set()


def test_filters_combined(operator_client, world, technician):
    assert _codes(
        operator_client,
        date_from="2026-03-01",
        date_to="2026-03-31",
        customer="acme",
        status=State.EXPECTED,
        intervention_type=world["repair"].pk,
        technician=technician.pk,
        serial_number="aaa",
        call_code=world["a"].code[:7],
        intervention_code=f"{world['a'].code}/1",
    ) == _expect(world, "a")
    assert _codes(operator_client, customer="acme", serial_number="bbb") == set()


def test_an_inverted_date_range_is_a_form_error(operator_client, world):
    response = operator_client.get(URL, {"date_from": "2026-03-20", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "The end date comes before the start date." in response.content.decode()
    assert list(response.context["object_list"]) == []


def test_unset_choice_filters_read_any(operator_client):
    # call status, intervention type, technician, SLA
    body = operator_client.get(URL).content.decode()
    assert body.count('<option value="" selected>Any</option>') == 4


def test_a_malformed_value_is_not_a_500(operator_client, world):
    response = operator_client.get(URL, {"date_from": "yesterday", "technician": "x"})
    assert response.status_code == 200


def test_sorting_and_links(operator_client, world):
    response = operator_client.get(URL, {"sort": "received"})
    codes = [row.code for row in response.context["object_list"]]
    assert codes == [f"{world[k].code}/1" for k in "abc"]
    response = operator_client.get(URL, {"sort": "-received"})
    assert [row.code for row in response.context["object_list"]][0] == f"{world['c'].code}/1"
    assert operator_client.get(URL, {"sort": "nonsense"}).status_code == 200
    body = response.content.decode()
    assert reverse("calls:manage", args=[world["a"].pk, 1]) in body


def test_pagination(operator_client, operator):
    unit = make_unit()
    for _ in range(27):
        make_call(by=operator, unit=unit)
    assert len(operator_client.get(URL).context["object_list"]) == 25
    assert len(operator_client.get(URL, {"page": 2}).context["object_list"]) == 2


def test_a_technician_finds_only_own_interventions(client_for, technician, world):
    assert _codes(client_for(technician)) == _expect(world, "a")


def test_csv_export_of_the_filtered_result(operator_client, world):
    response = operator_client.get(reverse("calls:export_csv"), {"customer": "acme"})
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Intervention code"
    assert {row[1] for row in rows[1:]} == _call_codes(world, "a", "c")
    assert "Resolved by phone" in text


def test_excel_export_of_the_filtered_result(operator_client, world):
    response = operator_client.get(reverse("calls:export_xlsx"), {"serial_number": "bbb"})
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.values)
    assert rows[0][1] == "Call code"
    assert [row[1] for row in rows[1:]] == [world["b"].code]
    assert rows[1][5] == "BBB-222"


def test_an_invalid_export_exports_nothing(operator_client, world):
    response = operator_client.get(
        reverse("calls:export_csv"), {"date_from": "2026-03-20", "date_to": "2026-03-01"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1


def _count(client, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"customer": "a", "serial_number": "a"}])
def test_search_runs_a_fixed_number_of_queries(operator_client, operator, technician, params):
    kind = make_intervention_type()
    for _ in range(2):
        make_expected_call(by=operator, technician=technician, type=kind)
    small = _count(operator_client, params)
    for _ in range(15):
        make_expected_call(by=operator, technician=technician)
    assert Call.objects.count() == 17
    assert _count(operator_client, params) == small


def test_a_huge_result_is_counted_up_to_the_limit(operator_client, operator, settings):
    """Past LIST_COUNT_LIMIT the page stops counting: it says "more than" and still pages."""
    settings.LIST_COUNT_LIMIT = 100
    unit = make_unit()
    for _ in range(101):
        make_call(by=operator, unit=unit)
    with CaptureQueriesContext(connection) as ctx:
        response = operator_client.get(URL)
    body = response.content.decode()
    assert "More than 100 results: narrow the search to see them all." in body
    assert "Page 1 of 4" in body
    count = next(q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"])
    assert "LIMIT 101" in count and "ORDER BY" not in count
    assert len(operator_client.get(URL, {"page": 4}).context["object_list"]) == 25
    # Past the counted pages: the last one, not "page not found".
    assert operator_client.get(URL, {"page": 5}).context["page_obj"].number == 4
    settings.LIST_COUNT_LIMIT = 101
    body = operator_client.get(URL).content.decode()
    assert "101 results" in body and "More than" not in body


def test_the_filter_bar_keeps_the_chosen_values_and_marks_errors(operator_client, world):
    body = operator_client.get(
        URL, {"date_from": "yesterday", "status": State.EXPECTED, "customer": "acme"}
    ).content.decode()
    assert '<option value="expected" selected>' in body
    assert 'name="customer" value="acme" class="textinput form-control"' in body
    assert 'class="dateinput form-control is-invalid" aria-invalid="true"' in body
    assert '<div id="id_date_from_error" class="invalid-feedback">' in body
    kind = world["install"]
    body = operator_client.get(URL, {"intervention_type": kind.pk}).content.decode()
    assert f'<option value="{kind.pk}" selected>{kind}</option>' in body
