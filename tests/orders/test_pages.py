"""The offer wizard, the lists, the exports and the order page as the office uses them."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Offer, OfferState, Order, OrderState
from tests.downloads import csv_rows
from tests.factories import make_customer, make_site, make_unit
from tests.orders.factories import (
    make_accepted,
    make_draft,
    make_part,
    make_sent,
    make_setting,
    make_terms,
    make_vat,
)

pytestmark = pytest.mark.django_db


def _ids(setting):
    return {key: obj.pk for key, obj in setting.items()}


def test_the_new_offer_page_is_prefilled_from_the_query_string(operator_client):
    setting = make_setting()
    response = operator_client.get(reverse("orders:offer_create"), _ids(setting))
    form = response.context["form"]
    assert response.status_code == 200
    assert str(form["customer"].value()) == str(setting["customer"].pk)
    assert str(form["unit"].value()) == str(setting["unit"].pk)
    # Only the customer's units are offered.
    make_unit(make_site(make_customer()))
    assert list(form.fields["unit"].queryset) == [setting["unit"]]
    assert not Offer.objects.exists()  # a GET never creates a draft


def test_the_wizard_saves_a_draft_at_every_step_and_can_go_back(operator_client, operator):
    setting = make_setting()
    fitting = make_part("FIT-1", products=[setting["unit"].product])
    other = make_part("OTH-1")
    response = operator_client.post(
        reverse("orders:offer_create"), {**_ids(setting), "submission_token": str(uuid.uuid4())}
    )
    offer = Offer.objects.get()
    assert response["Location"] == reverse("orders:offer_cart", args=[offer.pk])
    assert offer.state == OfferState.DRAFT and offer.unit == setting["unit"]

    # Step 2: with no search, the unit's parts are proposed; a search puts them first.
    cart = operator_client.get(reverse("orders:offer_cart", args=[offer.pk]))
    assert [p.code for p in cart.context["parts"]] == ["FIT-1"]
    search = operator_client.get(reverse("orders:cart_search", args=[offer.pk]), {"q": "1"})
    assert [p.code for p in search.context["parts"]] == ["FIT-1", "OTH-1"]
    add = reverse("orders:cart_add", args=[offer.pk])
    response = operator_client.post(
        add,
        {"part": other.pk, "submission_token": str(uuid.uuid4())},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "OTH-1" in response.content.decode()
    operator_client.post(add, {"part": fitting.pk, "submission_token": str(uuid.uuid4())})
    line = offer.lines.get(code="OTH-1")
    response = operator_client.post(
        reverse("orders:cart_line", args=[offer.pk, line.pk]),
        {
            f"l{line.pk}-quantity": "3",
            f"l{line.pk}-unit_price": "20",
            f"l{line.pk}-discount_percent": "10",
            f"l{line.pk}-version": line.version,
        },
        headers={"HX-Request": "true"},
    )
    assert "54.00" in response.content.decode()  # 3 x 20 - 10%
    line.refresh_from_db()
    assert (line.quantity, line.unit_price, line.discount_percent) == (3, 20, 10)
    bad = operator_client.post(
        reverse("orders:cart_line", args=[offer.pk, line.pk]),
        {
            f"l{line.pk}-quantity": "-1",
            f"l{line.pk}-unit_price": "x",
            f"l{line.pk}-discount_percent": "0",
            f"l{line.pk}-version": line.version,
        },
        headers={"HX-Request": "true"},
    )
    assert "alert-danger" in bad.content.decode()
    operator_client.post(
        reverse("orders:cart_line", args=[offer.pk, offer.lines.get(code="FIT-1").pk]),
        {"action": "remove"},
    )
    assert list(offer.lines.values_list("code", flat=True)) == ["OTH-1"]

    # Step 3: terms.
    terms = make_terms()
    url = reverse("orders:offer_terms", args=[offer.pk])
    form = operator_client.get(url).context["form"]
    assert form["billing_customer"].value() == setting["customer"].pk
    response = operator_client.post(
        url,
        {
            "billing_customer": setting["customer"].pk,
            "billing_site": setting["site"].pk,
            "billing_contact": setting["contact"].pk,
            "delivery_days": "15",
            "payment_method": terms["payment_method"].pk,
            "delivery_term": terms["delivery_term"].pk,
            "transport": terms["transport"].pk,
            "packing_included": "on",
            "valid_until": "2099-12-31",
            "show_prices": "",
            "notes": "Consegna al magazzino",
            "version": form["version"].value(),
        },
    )
    assert response["Location"] == offer.get_absolute_url()
    offer.refresh_from_db()
    assert (offer.delivery_days, offer.show_prices, offer.notes) == (
        15,
        False,
        "Consegna al magazzino",
    )

    # Back to step 1: what was entered is there.
    step1 = operator_client.get(reverse("orders:offer_parties", args=[offer.pk]))
    assert step1.context["form"]["customer"].value() == setting["customer"].pk
    assert operator_client.get(offer.get_absolute_url()).status_code == 200


def test_a_billing_site_of_another_customer_is_refused(operator_client, operator):
    offer = make_draft(operator)
    stranger_site = make_site(make_customer())
    response = operator_client.post(
        reverse("orders:offer_terms", args=[offer.pk]),
        {
            "billing_customer": offer.customer_id,
            "billing_site": stranger_site.pk,
            "show_prices": "on",
            "version": Offer.objects.get(pk=offer.pk).version,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_send_revise_decide_convert_through_the_pages(
    operator_client, operator, django_capture_on_commit_callbacks
):
    offer = make_draft(operator, parts=[make_part()])
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(reverse("orders:offer_send", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.state == OfferState.SENT
    # A sent offer's wizard pages lead back to the offer page.
    assert operator_client.get(reverse("orders:offer_cart", args=[offer.pk])).status_code == 302
    response = operator_client.post(reverse("orders:offer_convert", args=[offer.pk]), follow=True)
    assert (
        "Solo un&#x27;offerta accettata" in response.content.decode()
        or "accepted offer" in response.content.decode()
    )
    operator_client.post(
        reverse("orders:offer_decide", args=[offer.pk]),
        {"decision": "accept", "channel": "phone", "name": "Giulia Neri"},
    )
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED and offer.decision_channel == "phone"
    response = operator_client.post(reverse("orders:offer_convert", args=[offer.pk]))
    order = Order.objects.get()
    assert response["Location"] == order.get_absolute_url() and order.code == offer.code
    # Shipped is not a click: it follows the delivery notes.
    operator_client.post(reverse("orders:order_state", args=[order.pk]), {"state": "shipped"})
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    form = {"date": timezone.localdate().isoformat(), "carrier": "BRT", "packages": "1"}
    form.update({f"qty_{line.pk}": str(line.quantity) for line in order.lines.all()})
    operator_client.post(reverse("orders:order_shipments", args=[order.pk]), form)
    order.refresh_from_db()
    assert order.state == OrderState.SHIPPED

    revised = make_sent(operator)
    response = operator_client.post(reverse("orders:offer_revise", args=[revised.pk]))
    new = Offer.objects.get(code=revised.code, revision=1)
    assert response["Location"] == reverse("orders:offer_cart", args=[new.pk])


def test_lists_filter_by_customer_state_code_unit_and_export_csv(operator_client, operator):
    setting = make_setting()
    setting["customer"].name = "Officine Rossi"
    setting["customer"].save()
    mine = make_sent(operator, **setting)
    other = make_draft(operator)
    url = reverse("orders:offer_list")
    assert set(operator_client.get(url).context["object_list"]) == {mine, other}
    for query in (
        {"customer": "rossi"},
        {"state": "sent"},
        {"code": mine.code},
        {"unit": setting["unit"].serial_number},
        {"date_from": "2000-01-01", "customer": "rossi"},
    ):
        assert list(operator_client.get(url, query).context["object_list"]) == [mine], query
    assert not operator_client.get(url, {"date_to": "2000-01-01"}).context["object_list"]
    export = operator_client.get(reverse("orders:offer_export"), {"customer": "rossi"})
    rows = csv_rows(export)  # English: commas
    assert rows[0][0] == "Code" and len(rows) == 2 and rows[1][0] == mine.code
    assert rows[0][-3:] == ["Taxable amount", "Total", "Revision"]
    assert rows[1][-3:] == ["10.00", "12.20", "0"]  # one part at 10.00 + VAT 22%

    order = services.convert_to_order(
        offer=make_accepted(operator, **setting), acting_user=operator
    )
    assert list(
        operator_client.get(reverse("orders:order_list"), {"state": "confirmed"}).context[
            "object_list"
        ]
    ) == [order]
    export = operator_client.get(reverse("orders:order_export"), {"customer": "rossi"})
    assert order.code in _text(export)
    operator.language = "it"
    operator.save()
    export = operator_client.get(reverse("orders:order_export"), {"customer": "rossi"})
    assert ";10,00;12,20" in _text(export)  # decimal comma for Excel


def _text(export) -> str:
    """The streamed CSV as text."""
    return b"".join(export.streaming_content).decode("utf-8-sig")


def test_the_catalogue_searches_code_and_description(operator_client):
    make_part("FLT-OIL", description_it="Filtro olio", description_en="Oil filter")
    make_part("BELT-1", description_it="Cinghia", description_en="Belt")
    url = reverse("orders:sparepart_list")
    assert [p.code for p in operator_client.get(url, {"q": "flt"}).context["object_list"]] == [
        "FLT-OIL"
    ]
    assert [
        p.code for p in operator_client.get(url, {"q": "oil filter"}).context["object_list"]
    ] == ["FLT-OIL"]
    assert [p.code for p in operator_client.get(url, {"q": "cinghia"}).context["object_list"]] == [
        "BELT-1"
    ]


# --- Fixed query counts -----------------------------------------------------------------------
def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_run_a_fixed_number_of_queries(operator_client, operator):
    vat = make_vat()
    make_part(vat_rate=vat)
    offer = make_accepted(operator)
    services.convert_to_order(offer=offer, acting_user=operator)
    urls = [
        reverse("orders:offer_list"),
        reverse("orders:order_list"),
        reverse("orders:sparepart_list"),
        reverse("orders:sparepart_list") + "?q=SP",
    ]
    small = {url: _count(operator_client, url) for url in urls}
    for _ in range(12):
        make_part(vat_rate=make_vat("10", "10") if _ % 2 else vat)
        services.convert_to_order(offer=make_accepted(operator), acting_user=operator)
    for url in urls:
        assert _count(operator_client, url) == small[url], url


def test_offer_pages_run_a_fixed_number_of_queries(operator_client, operator):
    few = make_sent(operator, parts=[make_part()])
    draft_few = make_draft(operator, parts=[make_part()])
    many_parts = [
        make_part(vat_rate=make_vat("10", "10") if n % 2 else make_vat()) for n in range(15)
    ]
    many = make_sent(operator, parts=many_parts)
    draft_many = make_draft(operator, parts=many_parts)
    for name, small, big in [
        ("orders:offer_detail", few, many),
        ("orders:offer_cart", draft_few, draft_many),
    ]:
        assert _count(operator_client, reverse(name, args=[small.pk])) == _count(
            operator_client, reverse(name, args=[big.pk])
        ), name
    order_few = services.convert_to_order(offer=make_accepted(operator), acting_user=operator)
    order_many = services.convert_to_order(
        offer=make_accepted(operator, parts=many_parts), acting_user=operator
    )
    assert _count(operator_client, order_few.get_absolute_url()) == _count(
        operator_client, order_many.get_absolute_url()
    )
    assert Decimal(0) < Decimal(many.lines.count())


def test_a_double_submitted_first_step_creates_one_draft(operator_client):
    setting = make_setting()
    form = operator_client.get(reverse("orders:offer_create")).context["form"]
    data = {**_ids(setting), "submission_token": str(form["submission_token"].value())}
    first = operator_client.post(reverse("orders:offer_create"), data)
    second = operator_client.post(reverse("orders:offer_create"), data)
    offer = Offer.objects.get()
    assert first["Location"] == second["Location"] == reverse("orders:offer_cart", args=[offer.pk])


def test_terms_changed_by_someone_else_are_not_overwritten(client_for, operator, administrator):
    offer = make_draft(operator)
    url = reverse("orders:offer_terms", args=[offer.pk])
    mine, theirs = client_for(operator), client_for(administrator)
    version = mine.get(url).context["form"]["version"].value()
    base = {
        "billing_customer": offer.customer_id,
        "billing_site": offer.site_id,
        "billing_contact": offer.contact_id,
        "show_prices": "on",
        "version": version,
    }
    assert theirs.post(url, {**base, "notes": "theirs"}).status_code == 302
    response = mine.post(url, {**base, "notes": "mine"})
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    offer.refresh_from_db()
    assert offer.notes == "theirs"


def test_changing_the_billing_customer_refreshes_its_sites_and_contacts(operator_client, operator):
    offer = make_draft(operator)
    other = make_customer(name="Holding S.p.A.")
    other_site = make_site(other, name="Amministrazione")
    response = operator_client.get(
        reverse("orders:offer_terms", args=[offer.pk]),
        {"billing_customer": other.pk, "notes": "typed so far"},
        headers={"HX-Request": "true"},
    )
    form = response.context["form"]
    assert list(form.fields["billing_site"].queryset) == [other_site]
    assert form["notes"].value() == "typed so far"
    assert not form.errors
    offer.refresh_from_db()
    assert offer.billing_customer_id == offer.customer_id  # a refresh saves nothing


@pytest.mark.parametrize(
    ("language", "price", "total"),
    [("it", "1.234,50\xa0€", "1.506,09\xa0€"), ("en", "€1,234.50", "€1,506.09")],
)
def test_the_cart_and_the_lists_write_amounts_in_the_reader_language(
    client_for, operator, language, price, total
):
    operator.language = language
    operator.save(update_fields=["language"])
    client = client_for(operator)
    offer = make_draft(operator, parts=[make_part("BIG-1", list_price=Decimal("1234.50"))])

    cart = client.get(reverse("orders:offer_cart", args=[offer.pk])).content.decode()
    parts = client.get(reverse("orders:sparepart_list")).content.decode()
    offers = client.get(reverse("orders:offer_list")).content.decode()

    assert price in cart and total in cart  # 1,234.50 + VAT 22% 271.59
    assert price in parts
    assert total in offers
