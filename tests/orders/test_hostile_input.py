"""Hostile input on offers: the wizard, the cart, the terms, the decision and the customer's
link. No 500, a message, nothing half-saved; markup in names stays text in pages, PDF, e-mail."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given
from pypdf import PdfReader

from orders.links import make_token
from orders.models import Offer, OfferLine, OfferState
from tests.factories import make_contact, make_customer, make_site, make_unit
from tests.hostile import HYPOTHESIS, IMG, MARKUP, NASTY, SCRIPT, row_counts
from tests.orders.factories import make_draft, make_part, make_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(operator) -> Offer:
    return make_draft(operator, parts=[make_part()])


def _line_values(line: OfferLine):
    line.refresh_from_db()
    return line.quantity, line.unit_price, line.discount_percent


@HYPOTHESIS
@given(quantity=NASTY, price=NASTY, discount=NASTY)
def test_cart_lines_take_anything_and_keep_their_values_when_refused(
    operator_client, draft, quantity, price, discount
):
    line = draft.lines.get()
    before = _line_values(line)
    response = operator_client.post(
        reverse("orders:cart_line", args=[draft.pk, line.pk]),
        {
            f"l{line.pk}-quantity": quantity,
            f"l{line.pk}-unit_price": price,
            f"l{line.pk}-discount_percent": discount,
            f"l{line.pk}-version": line.version,
        },
    )
    assert response.status_code in (200, 302)
    after = _line_values(line)
    assert after == before or (after[0] > 0 and after[1] >= 0 and 0 <= after[2] <= 100)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "-1"),
        ("quantity", "0"),
        ("quantity", "1" + "0" * 15),
        ("unit_price", "-0.01"),
        ("unit_price", "9" * 14),
        ("discount_percent", "100.01"),
        ("discount_percent", "-1"),
        ("discount_percent", "NaN"),
    ],
)
def test_impossible_cart_numbers_are_refused_with_a_message(operator_client, draft, field, value):
    line = draft.lines.get()
    before = _line_values(line)
    data = {f"l{line.pk}-quantity": "1", f"l{line.pk}-unit_price": "10"}
    data[f"l{line.pk}-discount_percent"] = "0"
    data[f"l{line.pk}-version"] = line.version
    data[f"l{line.pk}-{field}"] = value
    response = operator_client.post(
        reverse("orders:cart_line", args=[draft.pk, line.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert _line_values(line) == before
    body = response.content.decode()
    assert "alert-danger" in body or "invalid-feedback" in body or "errorlist" in body


def test_a_line_of_another_offer_cannot_be_changed_through_this_one(operator_client, operator):
    mine = make_draft(operator, parts=[make_part()])
    theirs = make_draft(operator, parts=[make_part()])
    line = theirs.lines.get()
    before = _line_values(line)
    response = operator_client.post(
        reverse("orders:cart_line", args=[mine.pk, line.pk]),
        {
            f"l{line.pk}-quantity": "7",
            f"l{line.pk}-unit_price": "0",
            f"l{line.pk}-version": line.version,
        },
    )
    assert response.status_code == 404
    assert _line_values(line) == before


@pytest.mark.parametrize("part", ["", "x", "-1", "9" * 30, SCRIPT])
def test_adding_a_part_that_does_not_exist_is_a_message(operator_client, draft, part):
    before = row_counts(OfferLine)
    response = operator_client.post(
        reverse("orders:cart_add", args=[draft.pk]),
        {"part": part, "submission_token": str(uuid.uuid4())},
    )
    assert response.status_code in (200, 302)
    assert row_counts(OfferLine) == before


@HYPOTHESIS
@given(customer=NASTY, site=NASTY, contact=NASTY, unit=NASTY)
def test_the_first_step_takes_anything(operator_client, customer, site, contact, unit):
    before = row_counts(Offer)
    response = operator_client.post(
        reverse("orders:offer_create"),
        {
            "customer": customer,
            "site": site,
            "contact": contact,
            "unit": unit,
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert row_counts(Offer) == before


def test_a_site_of_another_customer_cannot_be_smuggled_into_an_offer(operator_client):
    mine, theirs = make_customer(), make_customer()
    site, contact = make_site(mine), make_contact(mine)
    foreign = make_site(theirs)
    before = row_counts(Offer)
    for data in (
        {"site": foreign.pk, "contact": contact.pk},
        {"site": site.pk, "contact": make_contact(theirs).pk},
        {"site": site.pk, "contact": contact.pk, "unit": make_unit(foreign).pk},
    ):
        response = operator_client.post(
            reverse("orders:offer_create"),
            {"customer": mine.pk, "submission_token": str(uuid.uuid4()), **data},
        )
        assert response.status_code == 200
    assert row_counts(Offer) == before


@HYPOTHESIS
@given(days=NASTY, valid=NASTY, notes=NASTY, vat=NASTY, billing=NASTY)
def test_the_terms_take_anything(operator_client, draft, days, valid, notes, vat, billing):
    draft.refresh_from_db()
    before = (draft.updated_at, draft.notes, draft.delivery_days)
    response = operator_client.post(
        reverse("orders:offer_terms", args=[draft.pk]),
        {
            "billing_customer": billing,
            "delivery_days": days,
            "valid_until": valid,
            "vat_rate": vat,
            "notes": notes,
            "version": draft.version,
        },
    )
    assert response.status_code in (200, 302)
    draft.refresh_from_db()
    if response.status_code == 200:
        assert (draft.updated_at, draft.notes, draft.delivery_days) == before


@HYPOTHESIS
@given(name=NASTY, decision=NASTY, channel=NASTY)
def test_decisions_take_anything(operator_client, operator, name, decision, channel):
    offer = make_sent(operator)
    operator_client.post(
        reverse("orders:offer_decide", args=[offer.pk]),
        {"name": name, "decision": decision, "channel": channel},
    )
    offer.refresh_from_db()
    if offer.state != OfferState.SENT:
        assert decision in ("accept", "decline") and channel in ("phone", "paper")
        assert name.strip() and len(name) <= 150


@HYPOTHESIS
@given(name=NASTY, decision=NASTY)
def test_the_customers_link_takes_anything(client, operator, name, decision):
    offer = make_sent(operator)
    response = client.post(
        reverse("orders:public_offer", args=[make_token(offer.pk)]),
        {"name": name, "decision": decision},
    )
    assert response.status_code in (200, 302)
    offer.refresh_from_db()
    if response.status_code == 200:
        assert offer.state == OfferState.SENT


@pytest.mark.parametrize(
    "token", ["", "x" * 5000, "1:" + "A" * 40, SCRIPT, "%00", "../../", "٣:abc:def"]
)
def test_a_forged_link_is_a_404(client, token):
    if not token:
        return
    response = client.get(f"/orders/o/{token}/")
    assert response.status_code == 404


def test_a_token_signed_for_another_offer_cannot_decide_this_one(client, operator):
    mine, other = make_sent(operator), make_sent(operator)
    token = make_token(other.pk)
    tampered = token.replace(f"{other.pk}:", f"{mine.pk}:", 1)
    response = client.post(f"/orders/o/{tampered}/", {"name": "M", "decision": "decline"})
    assert response.status_code == 404
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.state == other.state == OfferState.SENT


def test_markup_in_names_is_text_in_pages_pdf_and_email(
    operator_client, operator, client, django_capture_on_commit_callbacks
):
    customer = make_customer(name=MARKUP)
    site = make_site(customer, name=MARKUP)
    contact = make_contact(customer, site=site, email="buyer@example.com", name=MARKUP)
    part = make_part(description_it=MARKUP, description_en=MARKUP)
    offer = make_draft(
        operator, parts=[part], customer=customer, site=site, contact=contact, unit=None
    )
    Offer.objects.filter(pk=offer.pk).update(notes=MARKUP)
    for url in (
        reverse("orders:offer_detail", args=[offer.pk]),
        reverse("orders:offer_cart", args=[offer.pk]),
        reverse("orders:offer_list"),
        reverse("orders:cart_search", args=[offer.pk]) + "?q=img",
    ):
        body = operator_client.get(url).content.decode()
        assert SCRIPT not in body and IMG not in body, url
    pdf = operator_client.get(reverse("orders:offer_pdf", args=[offer.pk])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert SCRIPT in text.replace("\n", "")  # printed as the characters typed
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(reverse("orders:offer_send", args=[offer.pk]))
    message = mail.outbox[-1]
    # Plain text only: the name reads as typed (no HTML entities) and nothing can interpret it.
    assert MARKUP in message.body
    assert "&lt;" not in message.body and "&quot;" not in message.body
    assert all(mime != "text/html" for _content, mime in message.alternatives)
    public = client.get(reverse("orders:public_offer", args=[make_token(offer.pk)]))
    assert SCRIPT not in public.content.decode()
