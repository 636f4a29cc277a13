"""Hostile input on price lists, rates and the quote editor: no 500, a message, no half-saves."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from hypothesis import given

from quotes.models import PriceList, Quote, QuoteLine, Rate
from quotes.services import create_quote_from_price_list
from tests.factories import make_customer
from tests.hostile import HYPOTHESIS, MARKUP, NASTY, SCRIPT, row_counts
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(administrator) -> Quote:
    return create_quote_from_price_list(
        customer=make_customer(), price_list=make_price_list(), acting_user=administrator
    )


def _snapshot(quote: Quote):
    quote.refresh_from_db()
    lines = list(
        QuoteLine.objects.filter(quote=quote)
        .order_by("pk")
        .values_list("pk", "quantity", "unit_price", "discount", "description")
    )
    return quote.updated_at, quote.vat_rate, quote.notes, lines


def _editor_data(quote: Quote, **changes) -> dict:
    lines = list(quote.lines.order_by("pk"))
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "version": quote.version,
        "vat_rate": "22.00",
        "notes": "",
        "add-kind": "other",
    }
    for index, line in enumerate(lines):
        data.update(
            {
                f"lines-{index}-id": str(line.pk),
                f"lines-{index}-quantity": str(line.quantity),
                f"lines-{index}-unit_price": str(line.unit_price),
                f"lines-{index}-discount": str(line.discount),
            }
        )
    data.update(changes)
    return data


@HYPOTHESIS
@given(quantity=NASTY, price=NASTY, discount=NASTY, vat=NASTY, add_quantity=NASTY, notes=NASTY)
def test_the_quote_editor_takes_anything_and_saves_all_or_nothing(
    admin_client_, quote, quantity, price, discount, vat, add_quantity, notes
):
    before = _snapshot(quote)
    response = admin_client_.post(
        reverse("quotes:quote_detail", args=[quote.pk]),
        _editor_data(
            quote,
            **{
                "lines-0-quantity": quantity,
                "lines-1-unit_price": price,
                "lines-2-discount": discount,
                "vat_rate": vat,
                "notes": notes,
                "add-description": "Free line",
                "add-quantity": add_quantity,
            },
        ),
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert _snapshot(quote) == before  # refused: nothing of it was saved


@pytest.mark.parametrize(
    "changes",
    [
        {"lines-0-quantity": "-3"},
        {"lines-0-quantity": "1" + "0" * 20},
        {"lines-0-discount": "150"},
        {"lines-0-discount": "-5"},
        {"lines-0-unit_price": "-10"},
        {"lines-0-unit_price": "9" * 15},
        {"vat_rate": "250"},
        {"add-description": "Free", "add-quantity": "-1"},
        {"add-description": "Free", "add-quantity": "1e309"},
        {"add-description": "x" * 300},
        {"lines-0-quantity": "2", "lines-1-discount": "101"},  # one good change, one bad
    ],
    ids=repr,
)
def test_impossible_quote_values_are_refused_and_nothing_is_saved(admin_client_, quote, changes):
    before = _snapshot(quote)
    response = admin_client_.post(
        reverse("quotes:quote_detail", args=[quote.pk]), _editor_data(quote, **changes)
    )
    assert response.status_code == 200
    assert response.context["errors"]  # shown above the lines
    assert _snapshot(quote) == before


@HYPOTHESIS
@given(name=NASTY, currency=NASTY, valid_from=NASTY, code=NASTY, price=NASTY, position=NASTY)
def test_the_price_list_form_takes_anything(
    admin_client_, name, currency, valid_from, code, price, position
):
    before = row_counts(PriceList, Rate)
    response = admin_client_.post(
        reverse("quotes:pricelist_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "name": name,
            "currency": currency,
            "valid_from": valid_from,
            "active": "on",
            "rates-TOTAL_FORMS": "1",
            "rates-INITIAL_FORMS": "0",
            "rates-MIN_NUM_FORMS": "0",
            "rates-MAX_NUM_FORMS": "200",
            "rates-0-code": code,
            "rates-0-description_it": "Manodopera",
            "rates-0-kind": "labour_hour",
            "rates-0-unit": "h",
            "rates-0-price": price,
            "rates-0-position": position,
        },
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert row_counts(PriceList, Rate) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rates-0-price", "-55"),
        ("rates-0-price", "1" + "0" * 20),
        ("rates-0-position", "-1"),
        ("rates-0-position", "9" * 20),
        ("valid_from", "9999-99-99"),
        ("currency", "€€€"),
        ("rates-TOTAL_FORMS", "100000"),
    ],
)
def test_a_bad_rate_keeps_the_whole_price_list_unsaved(admin_client_, field, value):
    before = row_counts(PriceList, Rate)
    data = {
        "name": "Hostile",
        "currency": "EUR",
        "valid_from": "2026-01-01",
        "rates-TOTAL_FORMS": "1",
        "rates-INITIAL_FORMS": "0",
        "rates-MIN_NUM_FORMS": "0",
        "rates-MAX_NUM_FORMS": "200",
        "rates-0-code": "MO",
        "rates-0-description_it": "Manodopera",
        "rates-0-kind": "labour_hour",
        "rates-0-unit": "h",
        "rates-0-price": "55",
        "rates-0-position": "1",
        field: value,
    }
    data.setdefault("submission_token", str(uuid.uuid4()))
    response = admin_client_.post(reverse("quotes:pricelist_create"), data)
    assert response.status_code == 200
    assert row_counts(PriceList, Rate) == before


@pytest.mark.parametrize("param", ["q", "page", "state", "customer", "sort", "o"])
def test_the_lists_take_anything(operator_client, param):
    for value in ("x" * 5000, "9" * 30, "-1", "\x00", MARKUP):
        for name in ("quotes:quote_list", "quotes:pricelist_list", "quotes:quote_create"):
            response = operator_client.get(reverse(name), {param: value})
            assert response.status_code in (200, 404), (name, param, value)
            assert SCRIPT not in response.content.decode()


def test_markup_in_names_and_lines_is_text_in_pages_and_pdf(admin_client_, administrator):
    import io

    from pypdf import PdfReader

    customer = make_customer(name=MARKUP)
    price_list = make_price_list(customer=customer, name=MARKUP)
    quote = create_quote_from_price_list(
        customer=customer, price_list=price_list, acting_user=administrator
    )
    QuoteLine.objects.filter(quote=quote).update(description=MARKUP)
    for url in (
        reverse("quotes:quote_detail", args=[quote.pk]),
        reverse("quotes:quote_list"),
        reverse("quotes:pricelist_list"),
        price_list.get_absolute_url(),
    ):
        assert SCRIPT not in admin_client_.get(url).content.decode(), url
    pdf = admin_client_.get(reverse("quotes:quote_pdf", args=[quote.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "<script>alert(1)</script>" in text.replace("\n", "")  # printed literally


def test_another_customers_rate_cannot_be_added_to_a_quote(admin_client_, quote):
    foreign = make_price_list().rates.first()
    before = _snapshot(quote)
    response = admin_client_.post(
        reverse("quotes:quote_detail", args=[quote.pk]),
        _editor_data(quote, **{"add-rate": str(foreign.pk)}),
    )
    assert response.status_code == 200
    assert _snapshot(quote) == before
