"""Invoicing many calls (issue 19): a selection kept across pages, the batch per billing
customer with its preview, drafts edited and issued together, head offices paying for plants."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from calls.models import Call, Intervention, State
from invoicing import batches, services
from invoicing.models import Invoice, InvoiceState
from tests.calls.factories import make_call
from tests.factories import make_customer, make_site, make_unit, make_user
from tests.invoicing.factories import make_done_intervention, make_verified_call
from tests.stacked_tables import labelled_rows

pytestmark = pytest.mark.django_db

TO_INVOICE = reverse("invoicing:billable_calls")
BATCH = reverse("invoicing:batch")
DRAFTS = reverse("invoicing:draft_list")


@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


def _quick_calls(customer, count: int) -> list[Call]:
    """Calls with one verified intervention each (no figures: cheap, for sizes and paging)."""
    unit = make_unit(make_site(customer))
    calls = []
    for _ in range(count):
        call = make_call(unit=unit, with_contact=False)
        Intervention.objects.filter(call=call).update(state=State.VERIFIED)
        calls.append(call)
    return calls


def _head_office():
    """A head office paying for two plants, each with a verified, priced call."""
    head = make_customer(name="Holding Nord S.p.A.")
    plants = [
        make_customer(name=f"Plant {n} S.r.l.", billing_customer=head, sdi_code="", vat_number="")
        for n in (1, 2)
    ]
    calls = []
    for plant in plants:
        site = make_site(plant, name=f"Works {plant.name[:7]}")
        intervention = make_done_intervention(call=make_call(unit=make_unit(site)))
        calls.append(intervention.call)
    return head, plants, calls


def _verify_all(admin, calls):
    for call in calls:
        for intervention in call.interventions.all():
            services.verify(intervention=intervention, acting_user=admin)


# --- Billing customer -------------------------------------------------------------------------
def test_a_billing_customer_is_one_level_without_cycles():
    head = make_customer()
    plant = make_customer(billing_customer=head)
    plant.full_clean()
    head.billing_customer = plant  # a cycle
    with pytest.raises(ValidationError, match="billing customer of others"):
        head.full_clean()
    other = make_customer()
    other.billing_customer = plant  # a chain
    with pytest.raises(ValidationError, match="itself billed to another customer"):
        other.full_clean()
    other.billing_customer = other
    with pytest.raises(ValidationError, match="its own billing customer"):
        other.full_clean()


def test_the_customer_form_sets_the_billing_customer(admin_client_):
    head = make_customer(name="Holding Sud S.p.A.")
    plant = make_customer()
    data = {
        "name": plant.name,
        "vat_regime": "italian",
        "vat_number": plant.vat_number,
        "address": plant.address,
        "postal_code": plant.postal_code,
        "city": plant.city,
        "country": "IT",
        "sdi_code": "0000000",
        "language": "it",
        "is_active": "on",
        "billing_customer": head.pk,
        "version": plant.version,
    }
    url = reverse("customers:customer_update", args=[plant.pk])
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    plant.refresh_from_db()
    assert plant.billing_customer == head
    detail = admin_client_.get(plant.get_absolute_url()).content.decode()
    assert "Holding Sud S.p.A." in detail
    # the head office cannot be billed to its plant (a cycle): error on the form, nothing saved
    data.update(name=head.name, vat_number=head.vat_number, billing_customer=plant.pk)
    data["version"] = head.version
    response = admin_client_.post(reverse("customers:customer_update", args=[head.pk]), data)
    assert response.status_code == 200
    assert "billing customer of others" in response.content.decode()
    head.refresh_from_db()
    assert head.billing_customer is None


# --- Selection across pages -------------------------------------------------------------------
def test_calls_ticked_on_two_pages_make_one_invoice(admin_client_, admin):
    customer = make_customer(name="Alpha S.p.A.")
    calls = _quick_calls(customer, settings.PAGE_SIZE + 3)
    first_page = admin_client_.get(TO_INVOICE)
    shown_first = [c.pk for _cust, group in first_page.context["groups"] for c in group]
    second_page = admin_client_.get(TO_INVOICE, {"page": 2})
    shown_second = [c.pk for _cust, group in second_page.context["groups"] for c in group]
    assert set(shown_first).isdisjoint(shown_second)
    # page 1: two ticks kept by the no-JavaScript button
    admin_client_.post(
        TO_INVOICE, {"action": "save", "shown": shown_first, "calls": shown_first[:2]}
    )
    # page 2: one tick kept at once (htmx sends the page's form)
    response = admin_client_.post(
        reverse("invoicing:selection_toggle"), {"shown": shown_second, "calls": shown_second[:1]}
    )
    assert "3 calls selected" in response.content.decode()
    # back on page 1 the ticks are still there
    again = admin_client_.get(TO_INVOICE).content.decode()
    assert (
        f'value="{shown_first[0]}" id="call-{shown_first[0]}" checked' in again.replace("\n", "")
        or again.count(" checked") >= 2
    )
    response = admin_client_.post(f"{TO_INVOICE}?page=2", {"action": "create"})
    invoice = Invoice.objects.get()
    assert response["Location"] == invoice.get_absolute_url()
    assert set(invoice.calls.values_list("pk", flat=True)) == {*shown_first[:2], shown_second[0]}
    assert len(calls) == settings.PAGE_SIZE + 3
    # the selection is emptied once the draft is made
    assert "0 calls selected" in admin_client_.get(TO_INVOICE).content.decode()


def test_select_all_matching_the_filters_then_untick_one(admin_client_):
    alpha = make_customer(name="Alpha S.p.A.")
    beta = make_customer(name="Beta S.r.l.")
    alpha_calls = _quick_calls(alpha, settings.PAGE_SIZE + 2)
    _quick_calls(beta, 2)
    url = f"{TO_INVOICE}?customer=Alpha"
    admin_client_.post(url, {"action": "select_all"})
    page = admin_client_.get(url)
    assert f"{len(alpha_calls)} calls selected" in page.content.decode()
    shown = [c.pk for _cust, group in page.context["groups"] for c in group]
    # one call unticked on the first page, the rest kept
    admin_client_.post(url, {"action": "create", "shown": shown, "calls": shown[1:]})
    invoice = Invoice.objects.get()
    assert invoice.calls.count() == len(alpha_calls) - 1
    assert not invoice.calls.filter(pk=shown[0]).exists()


def test_the_filters_of_the_calls_to_invoice(admin_client_):
    head = make_customer(name="Holding Est S.p.A.")
    plant = make_customer(name="Stabilimento Uno S.r.l.", billing_customer=head)
    own = _quick_calls(head, 1)
    paid = _quick_calls(plant, 2)
    other = _quick_calls(make_customer(name="Other S.r.l."), 1)

    def listed(**params):
        response = admin_client_.get(TO_INVOICE, params)
        return {c.pk for _cust, group in response.context["groups"] for c in group}

    assert listed(billing_customer="Holding Est") == {c.pk for c in own + paid}
    assert listed(customer="Stabilimento") == {c.pk for c in paid}
    assert listed(site=paid[0].site.name) == {c.pk for c in paid}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert listed(date_from=tomorrow) == set()
    assert other[0].pk in listed(date_to=tomorrow)
    intervention = other[0].interventions.get()
    assert intervention.type is None
    typed = make_done_intervention()
    Intervention.objects.filter(pk=typed.pk).update(state=State.VERIFIED)
    assert listed(type=typed.type_id) == {typed.call_id}


def test_a_selection_of_two_paying_customers_is_refused(admin_client_):
    first = make_verified_call()
    second = make_verified_call()
    admin_client_.post(TO_INVOICE, {"action": "save", "calls": [first.pk, second.pk]})
    response = admin_client_.post(TO_INVOICE, {"action": "create"}, follow=True)
    assert "The selected calls belong to different customers." in response.content.decode()
    assert not Invoice.objects.exists()


# --- Batch per billing customer ---------------------------------------------------------------
def test_the_batch_makes_one_draft_per_billing_customer_with_the_head_office(admin):
    head, plants, plant_calls = _head_office()
    own = make_verified_call()  # a customer paying for itself
    _verify_all(admin, plant_calls)
    outcome = batches.create_drafts(up_to=timezone.localdate(), acting_user=admin)
    assert not outcome.refused
    drafts = {invoice.customer_id: invoice for invoice in outcome.done}
    assert set(drafts) == {head.pk, own.customer_id}
    assert set(drafts[head.pk].calls.values_list("pk", flat=True)) == {c.pk for c in plant_calls}
    invoice = services.issue(invoice=drafts[head.pk], acting_user=admin)
    # invoiced to the head office, its data frozen; the lines say which plant and site
    assert invoice.customer_name == "Holding Nord S.p.A."
    assert invoice.customer_vat_number == head.vat_number
    references = set(invoice.lines.values_list("reference", flat=True))
    for plant, call in zip(plants, plant_calls, strict=True):
        assert any(plant.name in ref and call.site.name in ref for ref in references)
    assert invoice.total == sum(
        (i.verified_figures.total for c in plant_calls for i in c.interventions.all()),
        start=0,
    )


def test_the_batch_takes_the_calls_verified_up_to_the_day(admin):
    old, recent = make_verified_call(), make_verified_call()
    Intervention.objects.filter(call=old).update(
        state_changed_at=timezone.now() - datetime.timedelta(days=10)
    )
    day = timezone.localdate() - datetime.timedelta(days=5)
    outcome = batches.create_drafts(up_to=day, acting_user=admin)
    assert [list(d.calls.all()) for d in outcome.done] == [[old]]
    assert recent.pk in batches.batch_calls(timezone.localdate()).values_list("pk", flat=True)


def test_the_batch_page_previews_then_creates_the_drafts(admin_client_, admin):
    head, _plants, plant_calls = _head_office()
    _verify_all(admin, plant_calls)
    today = timezone.localdate().isoformat()
    page = admin_client_.get(BATCH, {"up_to": today})
    (draft,) = page.context["drafts"]
    assert draft.payer == head and draft.calls == 2
    assert draft.total == sum(
        (i.verified_figures.total for c in plant_calls for i in c.interventions.all()), start=0
    )
    assert [name for name, _count in draft.plants] == ["Plant 1 S.r.l.", "Plant 2 S.r.l."]
    assert labelled_rows(page.content.decode()) == 1  # a card on a phone, its values named
    response = admin_client_.post(BATCH, {"up_to": today})
    assert response["Location"] == DRAFTS
    assert Invoice.objects.get().customer == head
    # a bad day: the form again with its error, nothing made
    assert admin_client_.post(BATCH, {"up_to": "32/13/2026"}).status_code == 200


def _preview_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_preview_runs_a_fixed_number_of_queries(admin_client_):
    url = f"{BATCH}?up_to={timezone.localdate().isoformat()}"
    head = make_customer()
    _quick_calls(make_customer(billing_customer=head), 2)
    small = _preview_queries(admin_client_, url)
    for _ in range(settings.PAGE_SIZE + 2):  # more payers than a page, plants, many calls
        payer = make_customer()
        _quick_calls(payer, 2)
        _quick_calls(make_customer(billing_customer=payer), 1)
    assert _preview_queries(admin_client_, url) == small
    assert _preview_queries(admin_client_, f"{url}&page=2") == small
    assert len(admin_client_.get(url).context["drafts"]) == settings.PAGE_SIZE


def test_the_preview_pages_by_next_link_through_every_payer_once(admin_client_, settings):
    settings.PAGE_SIZE = 2
    url = f"{BATCH}?up_to={timezone.localdate().isoformat()}"
    # Five payers, two with the same name (the id breaks the tie), one head office paying for
    # a plant, and a customer with no call to invoice (never shown).
    payers = [make_customer(name=name) for name in ("Delta", "Alfa", "Beta", "Beta", "Gamma")]
    for payer in payers:
        _quick_calls(payer, 1)
    _quick_calls(make_customer(name="Aaa plant", billing_customer=payers[4]), 2)
    make_customer(name="Aab idle")
    seen, pages, next_url = [], [], url
    while next_url:
        response = admin_client_.get(next_url)
        drafts = response.context["drafts"]
        pages.append(response.context["page_number"])
        seen += [(draft.payer.name, draft.payer.pk, draft.calls) for draft in drafts]
        key = response.context["next_key"]
        next_url = f"{url}&page={pages[-1] + 1}&after={key}" if key else ""
        if key:
            assert 'data-testid="next-page"' in response.content.decode()
    expected = sorted((p.name, p.pk, 3 if p == payers[4] else 1) for p in payers)
    assert seen == expected
    assert pages == [1, 2, 3]
    # a page number without its key is read by offset, a broken key likewise; far pages are empty
    by_offset = admin_client_.get(f"{url}&page=2").context["drafts"]
    assert [d.payer.pk for d in by_offset] == [pk for _name, pk, _calls in expected[2:4]]
    broken = admin_client_.get(f"{url}&page=2&after=%%%").context["drafts"]
    assert [d.payer.pk for d in broken] == [d.payer.pk for d in by_offset]
    far = admin_client_.get(f"{url}&page=999999999999")
    assert far.status_code == 200 and far.context["drafts"] == []


def test_the_preview_sums_each_payer_as_the_drafts_bill_it(admin_client_, admin):
    head, _plants, plant_calls = _head_office()
    _verify_all(admin, plant_calls)
    (unpriced,) = _quick_calls(make_customer(name="Zeta S.r.l."), 1)  # verified, no figures
    page = admin_client_.get(BATCH, {"up_to": timezone.localdate().isoformat()})
    preview = {draft.payer.pk: draft for draft in page.context["drafts"]}
    assert set(preview) == {head.pk, unpriced.customer_id}
    outcome = batches.create_drafts(up_to=timezone.localdate(), acting_user=admin)
    for invoice in outcome.done:
        draft = preview[invoice.customer_id]
        assert draft.calls == invoice.calls.count()
        assert draft.interventions == invoice.interventions.count()
    figures = [i.verified_figures for c in plant_calls for i in c.interventions.all()]
    assert preview[head.pk].total == sum((f.total for f in figures), start=0)
    assert preview[head.pk].taxable == sum((f.taxable for f in figures), start=0)
    assert preview[head.pk].without_figures == 0
    assert preview[unpriced.customer_id].total is None
    assert preview[unpriced.customer_id].without_figures == 1


# --- Drafts: edit and issue together ----------------------------------------------------------
def test_a_call_taken_off_a_draft_is_waiting_again(admin_client_, admin):
    first = make_verified_call()
    second = make_verified_call(call=make_call(unit=make_unit(first.site)))
    draft = services.create_draft(calls=[first, second], acting_user=admin)
    url = reverse("invoicing:draft_remove_call", args=[draft.pk])
    assert admin_client_.post(url, {"call": first.pk})["Location"] == draft.get_absolute_url()
    assert list(draft.calls.all()) == [second]
    assert list(draft.interventions.all()) == list(second.interventions.all())
    assert admin_client_.post(url, {"call": second.pk})["Location"] == DRAFTS
    assert not Invoice.objects.exists()
    # an issued invoice keeps its calls
    issued = services.issue(
        invoice=services.create_draft(calls=[first], acting_user=admin), acting_user=admin
    )
    with pytest.raises(services.InvoicingError, match="issue a credit note"):
        batches.remove_call(invoice=issued, call=first, acting_user=admin)


def test_issuing_drafts_together_reports_a_refusal_by_name(admin_client_, admin):
    good = [make_verified_call() for _ in range(2)]
    incomplete = make_customer(name="Senza Indirizzo S.r.l.", address="", city="")
    bad = make_verified_call(unit=make_unit(make_site(incomplete)))
    drafts = [services.create_draft(calls=[c], acting_user=admin) for c in (good[0], bad, good[1])]
    response = admin_client_.post(
        reverse("invoicing:drafts_issue"),
        {"invoices": [d.pk for d in drafts], "confirm": "yes"},
        follow=True,
    )
    page = response.content.decode()
    assert "Senza Indirizzo S.r.l.: Not issued: the customer&#x27;s fiscal data" in page
    issued = Invoice.objects.filter(state=InvoiceState.ISSUED).order_by("number")
    assert [i.pk for i in issued] == [drafts[0].pk, drafts[2].pk]
    assert list(issued.values_list("number", flat=True)) == [1, 2]
    assert Invoice.objects.get(pk=drafts[1].pk).state == InvoiceState.DRAFT
    # without the confirmation nothing is issued
    admin_client_.post(reverse("invoicing:drafts_issue"), {"invoices": [drafts[1].pk]})
    assert Invoice.objects.get(pk=drafts[1].pk).state == InvoiceState.DRAFT


def test_the_draft_list_runs_a_fixed_number_of_queries(admin_client_, admin):
    services.create_draft(calls=[make_verified_call()], acting_user=admin)
    small = _preview_queries(admin_client_, DRAFTS)
    for _ in range(4):
        services.create_draft(calls=[make_verified_call()], acting_user=admin)
    assert _preview_queries(admin_client_, DRAFTS) == small


def test_operators_and_technicians_cannot_batch(client_for):
    for role in (Role.OPERATOR, Role.TECHNICIAN):
        client = client_for(make_user(None, role))
        assert client.get(BATCH).status_code == 403
        assert client.post(BATCH, {"up_to": "2026-12-01"}).status_code == 403
        assert client.post(reverse("invoicing:drafts_issue"), {"confirm": "yes"}).status_code == 403
    operator = make_user(None, Role.OPERATOR)
    with pytest.raises(services.InvoicingError):
        batches.create_drafts(up_to=timezone.localdate(), acting_user=operator)


def test_the_demo_volume_has_head_offices_paying_for_plants():
    from customers.demo import _head_offices

    created = [make_customer(name=f"Demo {i:06d} Industria S.r.l.") for i in range(12)]
    _head_offices(created)
    payers = {c.name[5:11]: c.billing_customer_id for c in created}
    assert payers["000001"] == payers["000003"] == created[0].pk
    assert payers["000000"] is None and payers["000004"] is None
    assert payers["000011"] == created[10].pk
    for customer in created:
        customer.refresh_from_db()
        assert not customer.billing_customer_error()
