"""The administrators' contract pages, the SLA on the call pages, and their query counts."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, Priority
from contracts.models import Contract, Coverage, FeePeriod
from tests.calls.factories import make_call, make_expected_call, make_intervention_type
from tests.contracts.factories import make_contract
from tests.factories import make_customer, make_site, make_unit

pytestmark = pytest.mark.django_db
SIGNED_IN = 2


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.SESSION_REFRESH_SECONDS = 3600


def _form(owner, **extra):
    data = {
        "code": "C-NEW-1",
        "customer": owner.pk,
        "description": "Full service",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "notice_days": "60",
        "labour": Coverage.INCLUDED,
        "labour_discount": "0",
        "travel": Coverage.BILLED,
        "travel_discount": "0",
        "call_out": Coverage.BILLED,
        "call_out_discount": "0",
        "parts": Coverage.DISCOUNTED,
        "parts_discount": "10",
        "fee_period": FeePeriod.QUARTERLY,
        "fee_amount": "900.00",
        "is_active": "on",
        "response_urgent": "4",
        "resolution_urgent": "16",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


def test_contract_list_runs_a_fixed_number_of_queries(admin_client_, django_assert_num_queries):
    make_contract(unit=make_unit())
    url = reverse("contracts:contract_list")
    # the count (capped) and the page of contracts with their customer and unit count
    with django_assert_num_queries(SIGNED_IN + 2):
        assert admin_client_.get(url).status_code == 200
    for _ in range(12):
        make_contract(unit=make_unit())
    with django_assert_num_queries(SIGNED_IN + 2):
        response = admin_client_.get(url + "?q=C-")
    assert response.status_code == 200


def test_contract_detail_shows_coverage_and_targets(admin_client_):
    contract = make_contract(unit=make_unit())
    page = admin_client_.get(contract.get_absolute_url()).content.decode()
    assert contract.code in page and "Urgent (machine stopped)" in page and "Discounted" in page


def test_create_with_targets(admin_client_):
    unit = make_unit()
    customer = unit.site.customer
    url = reverse("contracts:contract_create") + f"?customer={customer.pk}"
    response = admin_client_.post(url, _form(customer, units=[unit.pk]))
    assert response.status_code == 302
    contract = Contract.objects.get(code="C-NEW-1")
    assert list(contract.units.all()) == [unit]
    target = contract.targets.get()
    assert (target.priority, target.response_hours) == (Priority.URGENT, Decimal("4.00"))


def test_bad_input_keeps_the_data_and_saves_nothing(admin_client_):
    customer = make_customer()
    make_site(customer)
    url = reverse("contracts:contract_create") + f"?customer={customer.pk}"
    data = _form(
        customer,
        end_date="2025-01-01",  # before the start
        parts_discount="0",  # discounted without a discount
        resolution_urgent="",  # one target of the pair only
        description="Keep me",
    )
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Keep me" in page
    assert "Say the discount of what is discounted." in page
    assert "Give both targets of a priority, or neither." in page
    assert not Contract.objects.exists()


def test_units_of_another_customer_are_refused(admin_client_):
    customer = make_customer()
    make_site(customer)
    foreign = make_unit()
    url = reverse("contracts:contract_create") + f"?customer={customer.pk}"
    response = admin_client_.post(url, _form(customer, units=[foreign.pk]))
    assert response.status_code == 200 and not Contract.objects.exists()


def test_edit_replaces_targets_and_never_changes_the_customer(admin_client_):
    contract = make_contract(unit=make_unit())
    other = make_customer()
    data = _form(contract.customer, code=contract.code, customer=other.pk, version=contract.version)
    data.pop("submission_token")
    response = admin_client_.post(reverse("contracts:contract_update", args=[contract.pk]), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.customer_id != other.pk
    assert [t.priority for t in contract.targets.all()] == [Priority.URGENT]


def test_operators_may_not_open_contracts(operator_client):
    contract = make_contract(unit=make_unit())
    assert operator_client.get(contract.get_absolute_url()).status_code == 403


def test_management_page_shows_contract_and_clocks(operator_client, operator):
    unit = make_unit()
    contract = make_contract(unit=unit)
    call = make_call(unit=unit, by=operator, priority=Priority.URGENT)
    page = operator_client.get(reverse("calls:manage", args=[call.pk, 1])).content.decode()
    assert f"Service contract {contract.code}" in page
    assert 'data-testid="sla-response"' in page and 'data-testid="sla-resolution"' in page


def test_operator_pauses_and_resumes_from_the_page(operator_client, operator):
    unit = make_unit()
    make_contract(unit=unit)
    call = make_call(unit=unit, by=operator, priority=Priority.URGENT)
    url = reverse("calls:sla_action", args=[call.pk, 1])
    page = operator_client.post(url, {"action": "wait", "reason": ""}).content.decode()
    assert "Say what we are waiting for from the customer." in page
    operator_client.post(url, {"action": "wait", "reason": "Photo of the plate"})
    call.refresh_from_db()
    assert call.waiting_for_customer and call.pauses.count() == 1
    operator_client.post(url, {"action": "resume"})
    call.refresh_from_db()
    assert not call.waiting_for_customer and call.sla_due is not None


def test_technician_may_not_pause(technician_client, operator):
    unit = make_unit()
    make_contract(unit=unit)
    call = make_call(unit=unit, by=operator)
    url = reverse("calls:sla_action", args=[call.pk, 1])
    assert technician_client.post(url, {"action": "wait", "reason": "x"}).status_code == 403
    assert not Call.objects.get(pk=call.pk).waiting_for_customer


def test_intake_shows_the_units_contract(operator_client):
    unit = make_unit()
    contract = make_contract(unit=unit)
    url = reverse("calls:customer_fields") + f"?unit={unit.pk}"
    page = operator_client.get(url).content.decode()
    assert f"covered by service contract {contract.code}" in page


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # the page's ids read first in two parts: the calls with a deadline, then the others
        ("?sort=sla", SIGNED_IN + 6),
        # filtered on the SLA: the few calls sorted by the plain ORDER BY
        ("?sort=sla&sla=breached", SIGNED_IN + 4),
        ("?sort=-sla&sla=at_risk", SIGNED_IN + 4),
    ],
)
def test_call_search_by_sla_runs_a_fixed_number_of_queries(
    query, queries, operator_client, operator, technician, django_assert_num_queries
):
    kind = make_intervention_type()
    now = timezone.now()

    def calls(count):
        for index in range(count):
            call = make_expected_call(by=operator, technician=technician, type=kind)
            contract = make_contract(unit=call.unit, start=datetime.date(2025, 1, 1))
            # half breached, half at risk
            due = now + datetime.timedelta(hours=-1 if index % 2 else 1)
            Call.objects.filter(pk=call.pk).update(
                contract=contract, sla_due=due, sla_warn_at=now - datetime.timedelta(hours=2)
            )

    url = reverse("calls:call_search") + query
    calls(2)
    # as the call search without filters (the count, the types and technicians of the filter
    # bar, the page of interventions with their call, and the rows' types and technicians)
    with django_assert_num_queries(queries):
        assert operator_client.get(url).status_code == 200
    calls(8)
    with django_assert_num_queries(queries):
        response = operator_client.get(url)
    assert response.status_code == 200
    assert len(response.context["object_list"]) >= 4


def test_call_search_sla_sort_puts_the_next_deadline_first(operator_client, operator):
    early, late = make_unit(), make_unit()
    for unit in (early, late):
        make_contract(unit=unit, start=datetime.date(2025, 1, 1))
    late_call = make_call(unit=late, by=operator, priority=Priority.NORMAL)
    early_call = make_call(unit=early, by=operator, priority=Priority.URGENT)
    uncovered = make_call(by=operator)
    page = operator_client.get(reverse("calls:call_search") + "?sort=sla").content.decode()
    assert page.index(early_call.code) < page.index(late_call.code) < page.index(uncovered.code)


def test_contract_detail_runs_a_fixed_number_of_queries(admin_client_, django_assert_num_queries):
    unit = make_unit()
    contract = make_contract(unit=unit)
    url = contract.get_absolute_url()
    # the contract with its customer; its targets, sites and price lists; the first covered
    # units with their product and site; their count; the fees with their invoices
    with django_assert_num_queries(SIGNED_IN + 7):
        assert admin_client_.get(url).status_code == 200
    for _ in range(8):
        contract.units.add(make_unit(unit.site))
    contract.sites.add(unit.site)
    with django_assert_num_queries(SIGNED_IN + 7):
        assert admin_client_.get(url).status_code == 200
