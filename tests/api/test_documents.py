"""Reading calls, interventions, offers, orders and invoices through the API (read only)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from api.models import Scope
from calls import services as call_services
from calls.models import Call, Intervention, State
from invoicing import credits as invoicing_credits
from invoicing import services as invoicing_services
from invoicing.models import Invoice
from orders import services as order_services
from quotes.models import Quote, QuoteLine, RateKind
from tests.calls.factories import make_call, make_intervention
from tests.factories import make_unit, make_user
from tests.invoicing.factories import make_done_intervention, make_verified_call
from tests.orders.factories import make_accepted, make_draft, make_part, make_sent

pytestmark = pytest.mark.django_db

LISTS = {
    "/api/v1/calls/": Scope.CALLS_READ,
    "/api/v1/interventions/": Scope.CALLS_READ,
    "/api/v1/offers/": Scope.ORDERS_READ,
    "/api/v1/orders/": Scope.ORDERS_READ,
    "/api/v1/invoices/": Scope.INVOICES_READ,
}


@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


def _moment(**delta) -> str:
    return (timezone.now() + datetime.timedelta(**delta)).isoformat()


def test_a_call_with_its_parties_codes_and_status(api):
    unit = make_unit(external_code="U-7")
    unit.site.external_code = "S-7"
    unit.site.save()
    call = make_call(unit=unit, description="Leaking valve")
    body = api.get(f"/api/v1/calls/{call.pk}/").json()
    assert body["code"] == call.code
    assert body["status"] == "new"
    assert (body["unit_code"], body["site_code"]) == ("U-7", "S-7")
    assert body["serial_number"] == unit.serial_number
    assert body["customer"] == unit.site.customer_id
    assert body["description"] == "Leaking valve"


def test_an_intervention_with_state_type_technician_dates_and_quote_totals(api):
    technician = make_user("tech9", Role.TECHNICIAN, first_name="Ada", last_name="Rossi")
    intervention = make_done_intervention(technician=technician)
    body = api.get(f"/api/v1/interventions/{intervention.pk}/").json()
    assert body["state"] == "done"
    assert body["call_code"] == intervention.call.code
    assert body["type"] == intervention.type.code
    assert body["technician_username"] == "tech9"
    assert body["technician_name"] == "Ada Rossi"
    assert body["requested_date"] == "2026-11-20"
    # 3 h x 55 + 1 h x 40 + 80 call-out + 100 km x 0.58 = 343.00, VAT 22 %
    assert body["quote"]["code"] == intervention.quote.code
    assert (body["quote"]["taxable"], body["quote"]["vat"], body["quote"]["total"]) == (
        "343.00",
        "75.46",
        "418.46",
    )


def test_an_intervention_without_technician_nor_quote(api):
    intervention = make_intervention()
    body = api.get(f"/api/v1/interventions/{intervention.pk}/").json()
    assert body["technician"] is None and body["technician_name"] is None
    assert body["quote"] is None


def test_sent_offers_with_lines_and_totals_drafts_left_out(api, operator):
    part = make_part("VALVE-1", list_price=Decimal("100.00"))
    offer = make_sent(operator, parts=[part])
    make_draft(operator, parts=[make_part()])
    page = api.get("/api/v1/offers/").json()
    assert [o["id"] for o in page["results"]] == [offer.pk]
    body = page["results"][0]
    assert body["state"] == "sent"
    assert body["lines"][0]["code"] == "VALVE-1"
    assert body["lines"][0]["net"] == "100.00"
    assert (body["taxable"], body["vat"], body["total"]) == ("100.00", "22.00", "122.00")
    assert body["customer_code"] == offer.customer.external_code


def test_orders_with_lines_and_their_offer(api, operator):
    offer = make_accepted(operator, parts=[make_part(list_price=Decimal("10.00"))])
    order = order_services.convert_to_order(offer=offer, acting_user=operator)
    body = api.get(f"/api/v1/orders/{order.pk}/").json()
    assert (body["code"], body["offer"], body["state"]) == (offer.code, offer.pk, "confirmed")
    assert len(body["lines"]) == 1
    assert body["total"] == "12.20"


def _issued_invoice(admin) -> Invoice:
    draft = invoicing_services.create_draft(calls=[make_verified_call()], acting_user=admin)
    return invoicing_services.issue(invoice=draft, acting_user=admin)


def test_issued_invoices_and_credit_notes_drafts_left_out(api, admin):
    invoice = _issued_invoice(admin)
    invoicing_services.create_draft(calls=[make_verified_call()], acting_user=admin)
    note = invoicing_credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Typo")
    page = api.get("/api/v1/invoices/").json()
    assert [i["id"] for i in page["results"]] == [invoice.pk, note.pk]
    first, credit = page["results"]
    assert (first["kind"], first["state"], first["number"]) == ("invoice", "issued", invoice.code)
    assert Decimal(first["total"]) == invoice.total
    assert first["call_codes"] == [invoice.calls.get().code]
    assert len(first["lines"]) == invoice.lines.count()
    assert {line["intervention_code"] for line in first["lines"]} == {
        invoice.interventions.get().code
    }
    assert credit["kind"] == "credit_note"
    assert (credit["credited"], credit["credited_number"]) == (invoice.pk, invoice.code)
    assert credit["reason"] == "Typo"


@pytest.mark.parametrize("url", LISTS)
def test_each_list_needs_its_scope_and_a_token(api_for, client, url):
    others = [s for s in Scope.values if s != LISTS[url]]
    response = api_for(*others).get(url)
    assert response.status_code == 403
    assert LISTS[url] in response.json()["detail"]
    assert client.get(url).status_code == 401
    assert api_for(LISTS[url]).get(url).status_code == 200


def test_calls_changed_since_include_those_whose_intervention_moved(api, operator):
    old, moved, fresh = make_call(), make_call(), make_call()
    a_day_ago = timezone.now() - datetime.timedelta(days=1)
    Call.objects.filter(pk__in=[old.pk, moved.pk]).update(updated_at=a_day_ago)
    Intervention.objects.update(updated_at=a_day_ago)
    Intervention.objects.filter(call=fresh).update(updated_at=timezone.now())
    intervention = moved.interventions.get()
    call_services.transition(
        intervention=intervention, to_state=State.RESOLVED_BY_PHONE, acting_user=operator
    )
    page = api.get("/api/v1/calls/", {"updated_since": _moment(hours=-1)}).json()
    assert [c["id"] for c in page["results"]] == [moved.pk, fresh.pk]
    assert page["results"][0]["status"] == "resolved_by_phone"
    interventions = api.get("/api/v1/interventions/", {"updated_since": _moment(hours=-1)})
    assert [i["call"] for i in interventions.json()["results"]] == [moved.pk, fresh.pk]


def test_interventions_changed_since_include_a_changed_quote(api):
    quoted = make_done_intervention()
    other = make_done_intervention()
    Intervention.objects.update(updated_at=timezone.now() - datetime.timedelta(days=1))
    Quote.objects.update(updated_at=timezone.now() - datetime.timedelta(days=1))
    since = _moment(hours=-1)
    assert api.get("/api/v1/interventions/", {"updated_since": since}).json()["count"] == 0
    QuoteLine.objects.create(
        quote=quoted.quote,
        kind=RateKind.CALL_OUT,
        description="Second call-out",
        quantity=1,
        unit_price=Decimal("80.00"),
    )
    quoted.quote.save(update_fields=["updated_at"])  # as quotes.services does on every change
    page = api.get("/api/v1/interventions/", {"updated_since": since}).json()
    assert [i["id"] for i in page["results"]] == [quoted.pk]
    assert page["results"][0]["quote"]["taxable"] == "423.00"  # 343.00 + 80.00
    assert other.pk != quoted.pk


def test_invoices_since_a_moment_are_those_issued_since(api, admin):
    first = _issued_invoice(admin)
    Invoice.objects.filter(pk=first.pk).update(
        issued_at=timezone.now() - datetime.timedelta(days=3)
    )
    second = _issued_invoice(admin)
    page = api.get("/api/v1/invoices/", {"updated_since": _moment(days=-1)}).json()
    assert [i["id"] for i in page["results"]] == [second.pk]


def test_offers_since_a_moment_follow_state_changes(api, operator):
    sent = make_sent(operator)
    decided = make_sent(operator)
    from orders.models import Offer

    Offer.objects.update(updated_at=timezone.now() - datetime.timedelta(days=1))
    order_services.record_decision(
        offer=decided,
        accept=False,
        name="Buyer",
        channel="phone",
        acting_user=operator,
        reason="No",
    )
    page = api.get("/api/v1/offers/", {"updated_since": _moment(hours=-1)}).json()
    assert [o["id"] for o in page["results"]] == [decided.pk]
    assert page["results"][0]["state"] == "declined"
    assert sent.pk != decided.pk


def test_sync_across_pages_with_after_id(api):
    calls = [make_call() for _ in range(5)]
    since = _moment(hours=-1)
    seen: list[int] = []
    after = 0
    while True:
        page = api.get(
            "/api/v1/calls/", {"updated_since": since, "after_id": after, "page_size": 2}
        ).json()
        if not page["results"]:
            break
        seen += [c["id"] for c in page["results"]]
        after = seen[-1]
    assert seen == sorted(c.pk for c in calls)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 50})
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries)


def _add_documents(admin, operator, n: int) -> None:
    for _ in range(n):
        make_done_intervention()
        offer = make_accepted(operator, parts=[make_part(), make_part()])
        order_services.convert_to_order(offer=offer, acting_user=operator)
        _issued_invoice(admin)


@pytest.mark.parametrize("url", LISTS)
def test_list_query_counts_do_not_grow_with_rows(
    api, admin, operator, url, django_assert_num_queries
):
    _add_documents(admin, operator, 1)
    api.get(url)  # the token's last use is recorded on the first request only
    few = _queries(api, url)
    # + 1 for every list: the token's rate counter (service_portal.ratelimit); + 1 for the
    # invoices' due dates
    limit = {"/api/v1/offers/": 9, "/api/v1/orders/": 9, "/api/v1/invoices/": 7}.get(url, 6)
    assert few <= limit
    _add_documents(admin, operator, 3)
    assert api.get(url).json()["count"] >= 4
    with django_assert_num_queries(few):
        api.get(url, {"page_size": 50})
