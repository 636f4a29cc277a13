"""The call search forgives how people type: partial codes ("14", "2026-14", "14/1"), the
customer's VAT number or fiscal code instead of the name, no accents or other capitals; calls can
be sorted by priority, which has its own column."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.filters import code_condition
from calls.models import Priority
from customers.models import Customer
from tests.calls.factories import first_intervention, make_call, make_expected_call
from tests.factories import make_customer, make_site, make_unit

pytestmark = pytest.mark.django_db

URL = "/calls/"


def _codes(client, **params) -> set[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return {i.code for i in response.context["object_list"]}


@pytest.fixture
def calls(operator):
    """Eleven calls: numbers 1 to 11 of this year."""
    return [make_call(by=operator, priority=Priority.NORMAL) for _ in range(11)]


def _number(call) -> int:
    return int(call.code.split("-")[1])


def test_a_call_is_found_by_its_number_alone(operator_client, calls):
    first, tenth = calls[0], calls[9]
    assert _number(first) == 1 and _number(tenth) == 10
    assert _codes(operator_client, call_code="1") == {f"{first.code}/1"}
    assert _codes(operator_client, call_code="10") == {f"{tenth.code}/1"}
    assert _codes(operator_client, call_code="0010") == {f"{tenth.code}/1"}


def test_a_call_is_found_by_year_and_number_and_an_intervention_by_its_suffix(
    operator_client, calls
):
    year = timezone.localdate().year
    third = calls[2]
    assert _codes(operator_client, call_code=f"{year}-3") == {f"{third.code}/1"}
    assert _codes(operator_client, intervention_code="3/1") == {f"{third.code}/1"}
    assert _codes(operator_client, intervention_code=f"{year}-3/1") == {f"{third.code}/1"}
    assert _codes(operator_client, intervention_code="3/2") == set()  # no second intervention
    assert _codes(operator_client, call_code=f"{year - 5}-3") == set()  # another year


def test_whole_codes_and_their_beginnings_still_work(operator_client, calls):
    year = timezone.localdate().year
    # The beginning of a code (000010, 000011) and the number it also is (000001).
    assert _codes(operator_client, call_code=f"{year}-00001") == {
        f"{calls[n].code}/1" for n in (0, 9, 10)
    }
    assert len(_codes(operator_client, call_code=f"{year}-")) == 11
    assert _codes(operator_client, intervention_code=calls[4].code + "/1") == {calls[4].code + "/1"}
    assert _codes(operator_client, call_code="not a code") == set()
    # A number alone is a call's number, not the beginning of every code of the year.
    assert _codes(operator_client, call_code="2") == {f"{calls[1].code}/1"}


@pytest.mark.parametrize("typed", ["", "-", "/", "2026-", "/1", "99999999", "2026-14/9999"])
def test_odd_codes_find_nothing_or_everything_and_never_fail(operator_client, calls, typed):
    response = operator_client.get(URL, {"call_code": typed, "intervention_code": typed})
    assert response.status_code == 200


def test_the_code_condition_lists_whole_codes_for_the_index():
    year = timezone.localdate().year
    condition = str(code_condition("14/1", "code"))
    assert f"{year}-000014/1" in condition
    assert f"{year}-000014" in str(code_condition(f"{year}-14", "call__code"))


@pytest.fixture
def customers(operator):
    garcia = make_customer(
        name="Talleres García S.L.", vat_number="ESB12345674", fiscal_code="B12345674"
    )
    bianchi = make_customer(
        name="Officine Meccaniche Bianchi S.p.A.",
        vat_number="IT00743110157",
        fiscal_code="RSSMRA80A01F205X",
    )
    durand = make_customer(name="Ateliers Mécaniques Durand SAS")
    made = {}
    for key, customer in (("garcia", garcia), ("bianchi", bianchi), ("durand", durand)):
        made[key] = make_call(by=operator, unit=make_unit(make_site(customer)))
    return made


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("garcia", {"garcia"}),
        ("GARCÍA", {"garcia"}),
        ("talleres garc", {"garcia"}),
        ("mecaniques", {"durand"}),
        ("MÉCANIQUES", {"durand"}),
        ("meccaniche", {"bianchi"}),
        ("00743110157", {"bianchi"}),
        ("IT 0074 3110", {"bianchi"}),
        ("it00743110157", {"bianchi"}),
        ("rssmra80a01", {"bianchi"}),
        ("RSS-MRA 80", {"bianchi"}),
        ("B12345674", {"garcia"}),
        ("nobody at all", set()),
    ],
)
def test_the_customer_is_found_by_name_vat_number_or_fiscal_code(
    operator_client, customers, typed, expected
):
    found = _codes(operator_client, customer=typed)
    assert found == {f"{customers[key].code}/1" for key in expected}


def test_the_customer_filter_costs_the_same_queries_at_any_size(operator_client, customers):
    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert operator_client.get(URL, params).status_code == 200
        return len(captured)

    few = queries(customer="garcia", call_code="1")
    for _ in range(4):
        make_call(unit=make_unit(make_site(Customer.objects.get(vat_number="ESB12345674"))))
    assert queries(customer="garcia", call_code="1") == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_the_name_search_without_accents_can_use_its_index(customers):
    query = Customer.objects.matching("garcia").order_by().values("pk").query  # as ids_up_to
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "customer_name_unaccent_trgm_idx" in plan, plan


def test_calls_sort_by_priority_urgent_first_and_show_it(operator_client, operator):
    low = make_call(by=operator, priority=Priority.LOW)
    urgent = make_call(by=operator, priority=Priority.URGENT)
    normal = make_call(by=operator, priority=Priority.NORMAL)
    high = make_call(by=operator, priority=Priority.HIGH)

    def order(sort: str) -> list[str]:
        response = operator_client.get(URL, {"sort": sort})
        return [row.code for row in response.context["object_list"]]

    expected = [f"{call.code}/1" for call in (urgent, high, normal, low)]
    assert order("priority") == expected
    assert order("-priority") == expected[::-1]
    page = operator_client.get(URL).content.decode()
    assert "sort=priority" in page
    assert "Urgent (machine stopped)" in page and "Low" in page


def test_a_technician_finds_by_number_only_their_own_interventions(
    technician_client, technician, operator
):
    mine = make_expected_call(by=operator, technician=technician)
    other = make_call(by=operator)
    assert _codes(technician_client, call_code=str(int(other.code.split("-")[1]))) == set()
    number = str(int(mine.code.split("-")[1]))
    assert _codes(technician_client, call_code=number) == {first_intervention(mine).code}
