"""Calls to invoice: paginated like the other lists, one customer's calls listed together, the
billing rule applied in the database, a fixed number of queries at any size."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Call, Intervention, State
from invoicing import selectors, services
from invoicing.models import Invoice
from invoicing.views import BillableCalls
from tests.calls.factories import make_call
from tests.factories import make_customer, make_site, make_unit
from tests.invoicing.factories import make_verified_call

pytestmark = pytest.mark.django_db

URL = reverse("invoicing:billable_calls")


def _quick_verified_call(unit, *states: str) -> Call:
    """A call whose interventions are in ``states`` (the first one is the call's own)."""
    call = make_call(unit=unit, with_contact=False)
    first = call.interventions.get(number=1)
    Intervention.objects.filter(pk=first.pk).update(state=states[0] if states else State.VERIFIED)
    for number, state in enumerate(states[1:], start=2):
        Intervention.objects.create(
            call=call, number=number, code=f"{call.code}-{number}", state=state
        )
    return call


def _calls_of(customer, count: int) -> list[Call]:
    unit = make_unit(make_site(customer))
    return [_quick_verified_call(unit) for _ in range(count)]


def _listed(response) -> list[int]:
    return [call.pk for _customer, calls in response.context["groups"] for call in calls]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_is_paginated_with_one_customers_calls_together(admin_client_):
    alpha = _calls_of(make_customer(name="Alpha S.p.A."), settings.PAGE_SIZE - 2)
    beta = _calls_of(make_customer(name="Beta S.r.l."), 5)
    first = admin_client_.get(URL)
    assert _listed(first) == [c.pk for c in alpha] + [c.pk for c in beta[:2]]
    assert [customer.name for customer, _calls in first.context["groups"]] == [
        "Alpha S.p.A.",
        "Beta S.r.l.",
    ]
    page = first.content.decode()
    assert f"{settings.PAGE_SIZE + 3} results" in page
    assert "the selection is kept while you change page or filters" in page
    second = admin_client_.get(URL, {"page": 2})
    assert _listed(second) == [c.pk for c in beta[2:]]


def test_only_this_customer_lists_all_its_calls_together(admin_client_):
    _calls_of(make_customer(name="Alpha S.p.A."), settings.PAGE_SIZE)
    beta = make_customer(name="Beta S.r.l.", vat_number="IT01234567890")
    beta_calls = _calls_of(beta, 3)
    first_page = admin_client_.get(URL)
    assert not any(customer == beta for customer, _calls in first_page.context["groups"])
    only = admin_client_.get(URL, {"customer_id": beta.pk})
    assert _listed(only) == [c.pk for c in beta_calls]
    assert 'data-testid="one-customer"' in only.content.decode()
    # by name or VAT number, as in the other customer pickers
    assert _listed(admin_client_.get(URL, {"customer": "beta"})) == [c.pk for c in beta_calls]
    assert _listed(admin_client_.get(URL, {"customer": "01234567"})) == [c.pk for c in beta_calls]
    assert _listed(admin_client_.get(URL, {"customer": "nobody"})) == []


@pytest.mark.parametrize("value", ["x", "-1", "9" * 30, "0", "1.5", "<b>"])
def test_a_garbage_customer_id_lists_nothing_and_does_not_fail(admin_client_, value):
    _calls_of(make_customer(), 2)
    response = admin_client_.get(URL, {"customer_id": value})
    assert response.status_code == 200
    assert _listed(response) == []


def test_the_database_applies_the_same_rule_as_the_draft(admin_client_, administrator):
    unit = make_unit()
    cases = [
        (State.VERIFIED,),
        (State.VERIFIED, State.CANCELLED),
        (State.INVOICED, State.VERIFIED),
        (State.VERIFIED, State.RESOLVED_BY_PHONE),
        (State.VERIFIED, State.DONE),
        (State.VERIFIED, State.PLANNED),
        (State.NEW, State.VERIFIED),
        (State.INVOICED,),
        (State.DONE,),
        (State.CANCELLED, State.VERIFIED),
    ]
    calls = {states: _quick_verified_call(unit, *states) for states in cases}
    listed = set(selectors.billable_calls().values_list("pk", flat=True))
    for states, call in calls.items():
        assert (call.pk in listed) == services.call_is_billable(list(states)), states
    # a call on a draft is not listed any more; discarding the draft lists it again
    call = calls[(State.VERIFIED,)]
    draft = services.create_draft(calls=[call], acting_user=administrator)
    assert call.pk not in _listed(admin_client_.get(URL))
    services.discard_draft(invoice=draft, acting_user=administrator)
    assert call.pk in _listed(admin_client_.get(URL))


def test_the_page_runs_a_fixed_number_of_queries(admin_client_):
    customer = make_customer()
    _calls_of(customer, 2)
    small = _queries(admin_client_, URL)
    filtered = _queries(admin_client_, f"{URL}?customer_id={customer.pk}")
    for _ in range(4):  # more customers, more calls than one page holds
        _calls_of(make_customer(), settings.PAGE_SIZE // 3 + 1)
    assert Call.objects.count() > settings.PAGE_SIZE
    assert _queries(admin_client_, URL) == small
    assert _queries(admin_client_, f"{URL}?page=2") == small
    assert _queries(admin_client_, f"{URL}?customer_id={customer.pk}") == filtered


def test_a_refused_draft_goes_back_to_the_same_page_and_filters(admin_client_):
    first = make_verified_call()
    other = make_verified_call()
    url = f"{URL}?customer=Customer"
    response = admin_client_.post(url, {"calls": [first.pk, other.pk]})
    assert response.status_code == 302 and response["Location"] == url
    page = admin_client_.get(url).content.decode()
    assert "The selected calls belong to different customers." in page
    assert not Invoice.objects.exists()


def test_the_ticked_calls_of_one_customer_make_one_draft(admin_client_):
    customer = make_customer()
    calls = _calls_of(customer, 3)
    response = admin_client_.post(
        f"{URL}?customer_id={customer.pk}", {"calls": [c.pk for c in calls[:2]]}
    )
    invoice = Invoice.objects.get()
    assert response["Location"] == invoice.get_absolute_url()
    assert set(invoice.calls.values_list("pk", flat=True)) == {c.pk for c in calls[:2]}
    # the draft's calls leave the list; the third one is still waiting
    assert _listed(admin_client_.get(URL)) == [calls[2].pk]


def test_a_long_backlog_is_counted_only_up_to_the_lists_limit(admin_client_, monkeypatch):
    """The count stops early (each counted call costs the billing rule's probes): past the
    limit the page says "more than" and still pages; the customer filter narrows it."""
    monkeypatch.setattr(BillableCalls, "count_limit", settings.PAGE_SIZE)
    customer = make_customer(name="Alpha S.p.A.")
    _calls_of(customer, settings.PAGE_SIZE + 1)
    with CaptureQueriesContext(connection) as ctx:
        body = admin_client_.get(URL).content.decode()
    assert f"More than {settings.PAGE_SIZE} results: narrow the search to see them all." in body
    count = next(q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"])
    assert f"LIMIT {settings.PAGE_SIZE + 1}" in count and "ORDER BY" not in count
    # Past the counted pages: the last counted one, not "page not found".
    assert admin_client_.get(URL, {"page": 2}).context["page_obj"].number == 1
    # below the list's limit the count is exact (and LIST_COUNT_LIMIT still applies)
    monkeypatch.setattr(BillableCalls, "count_limit", settings.PAGE_SIZE + 1)
    body = admin_client_.get(URL, {"customer_id": customer.pk}).content.decode()
    assert f"{settings.PAGE_SIZE + 1} results" in body and "More than" not in body
