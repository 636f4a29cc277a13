"""Money to the cent, in one module: rounding half up, line amounts, VAT per rate, totals.

Quotes, offers, orders, the billable lines of an intervention and invoices all compute through
``service_portal.money``; these are the rules a customer checks on a printed document.
"""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.models import lines_totals
from service_portal.money import (
    Taxed,
    amount_input,
    default_vat_rate,
    discounted,
    increase,
    is_percent,
    line_net,
    money,
    single_rate_totals,
    totals,
    vat_of,
)


# --- Rounding ------------------------------------------------------------------------------
def test_money_rounds_half_up_and_keeps_two_decimals():
    assert money(D("2.675")) == D("2.68")
    assert money(D("2.665")) == D("2.67")  # half up, not banker's rounding (which gives 2.66)
    assert money(D("0.005")) == D("0.01")
    assert money(D("0.0049")) == D("0.00")
    assert money(D("-2.675")) == D("-2.68")
    assert str(money(D("5"))) == "5.00"
    assert str(money(7)) == "7.00"


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "expected"),
    [
        ("1", "55.00", "0", "55.00"),
        ("2.5", "40.00", "0", "100.00"),
        ("3", "0.55", "0", "1.65"),
        ("1", "10.00", "12.5", "8.75"),
        # 0.333 x 1.50 = 0.4995 -> 0.50 (half up, not banker's rounding)
        ("0.333", "1.50", "0", "0.50"),
        # 1 x 0.05 x 0.9 = 0.045 -> 0.05 (a float would give 0.04)
        ("1", "0.05", "10", "0.05"),
        # 3 x 1.15 = 3.45 exactly; floats give 3.4499999...
        ("3", "1.15", "0", "3.45"),
        ("3", "0.335", "0", "1.01"),
        ("1", "10.05", "50", "5.03"),
        ("2.5", "19.99", "12.5", "43.73"),  # 49.975 - 6.246875 = 43.728125
        ("7", "13.33", "33.33", "62.21"),
        ("1", "99.99", "100", "0.00"),
        ("9999.99", "99999999.99", "0", "999998999900.00"),
    ],
)
def test_line_net(quantity, price, discount, expected):
    assert line_net(D(quantity), D(price), D(discount)) == D(expected)


def test_a_line_without_discount_is_quantity_times_price():
    assert line_net(D("2"), D("0.125")) == D("0.25")


def test_a_discounted_unit_price_is_rounded_to_the_cent():
    assert discounted(D("55.00"), D("10")) == D("49.50")
    assert discounted(D("0.05"), D("10")) == D("0.05")  # 0.045 -> 0.05
    assert discounted(D("40.00")) == D("40.00")


@pytest.mark.parametrize(
    ("price", "percent", "expected"),
    [
        ("55.00", "3", "56.65"),
        ("0.55", "2.5", "0.56"),
        ("40.00", "0", "40.00"),
        ("10", "-10", "9.00"),
    ],
)
def test_increase(price, percent, expected):
    assert increase(D(price), D(percent)) == D(expected)


def test_vat_of_a_taxable_amount_rounds_half_up():
    assert vat_of(D("0.25"), D("10")) == D("0.03")  # 0.025 -> 0.03
    assert vat_of(D("100.00"), D("22")) == D("22.00")
    assert vat_of(D("100.00"), D("0")) == D("0.00")


def test_rates_and_discounts_are_percentages_from_0_to_100():
    assert is_percent(D("0")) and is_percent(D("22")) and is_percent(D("100"))
    assert not is_percent(D("-0.01")) and not is_percent(D("100.01"))


def test_amount_inputs_are_rounded_and_nonsense_is_none():
    assert amount_input("12.345") == D("12.35")
    assert amount_input(D("3")) == D("3.00")
    assert amount_input(None) is None
    assert amount_input("") is None
    assert amount_input("twelve") is None


# --- The VAT rate where a document has none ------------------------------------------------
def test_the_default_vat_rate_is_the_setting_not_a_literal(settings):
    settings.DEFAULT_VAT_RATE = D("10")
    assert default_vat_rate() == D("10.00")
    settings.DEFAULT_VAT_RATE = D("22")
    assert default_vat_rate() == D("22.00")


# --- VAT per rate ---------------------------------------------------------------------------
def test_vat_is_computed_per_rate_on_the_taxable_amount_not_per_line():
    result = totals(
        [
            Taxed(
                D("0.05"), D("22")
            ),  # VAT 0.011 per line: 0.01 each, but 0.033 -> 0.03 on the sum
            Taxed(D("0.05"), D("22")),
            Taxed(D("0.05"), D("22")),
            Taxed(D("180.00"), D("10")),
            Taxed(D("50.00"), D("0")),
        ]
    )
    assert [(v.rate, v.taxable, v.vat) for v in result.by_rate] == [
        (D("0"), D("50.00"), D("0.00")),
        (D("10"), D("180.00"), D("18.00")),
        (D("22"), D("0.15"), D("0.03")),
    ]
    assert (result.taxable, result.vat, result.total) == (D("230.15"), D("18.03"), D("248.18"))
    assert result.vat_rate is None  # several rates: no single rate to print


def test_each_amount_is_rounded_before_it_is_summed():
    result = totals([Taxed(D("0.333"), D("22"))] * 3)  # each printed 0.33: taxable 0.99, not 1.00
    assert result.taxable == D("0.99")


def test_an_empty_document_totals_zero():
    result = totals([])
    assert (result.taxable, result.vat, result.total, result.by_rate) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
        (),
    )


def test_a_single_rate_document_with_vat_to_the_cent():
    nets = [line_net(D("2.5"), D("55.00")), line_net(D("120"), D("0.55")), line_net(1, 80, 10)]
    result = single_rate_totals(nets, D("22"))
    assert result.taxable == D("275.50")  # 137.50 + 66.00 + 72.00
    assert result.vat == D("60.61")
    assert result.total == D("336.11")
    assert result.vat_rate == D("22")


def test_a_single_rate_document_rounds_vat_once_on_the_taxable_amount():
    # Three lines of 0.10: per-line VAT would be 3 x 0.02 = 0.06; on the taxable 0.30 it is 0.07.
    result = single_rate_totals([D("0.10")] * 3, D("22"))
    assert (result.taxable, result.vat, result.total) == (D("0.30"), D("0.07"), D("0.37"))
    assert single_rate_totals([D("0.25")], D("10")).vat == D("0.03")  # 0.025 -> 0.03


def test_an_empty_single_rate_document_still_names_its_rate():
    result = single_rate_totals([], D("22"))
    assert result.taxable == result.vat == result.total == D("0.00")
    assert result.vat_rate == D("22")
    assert single_rate_totals([D("100")], D("0")).total == D("100.00")


# --- Offer and order lines ------------------------------------------------------------------
def _line(quantity, price, discount="0", vat="22"):
    return SimpleNamespace(
        quantity=D(quantity), unit_price=D(price), discount_percent=D(discount), vat_percent=D(vat)
    )


def test_offer_lines_keep_their_net_amounts_next_to_the_totals():
    lines = [_line("1", "0.05"), _line("2", "100", "10", "10"), _line("1", "50", "0", "0")]
    result = lines_totals(lines)
    assert [net for _line, net in result.lines] == [D("0.05"), D("180.00"), D("50.00")]
    assert [line for line, _net in result.lines] == lines
    assert result.total == D("248.06")  # 230.05 + 18.00 + 0.01


money_values = st.decimals(min_value=0, max_value=10000, places=2)
quantities = st.decimals(min_value=D("0.001"), max_value=1000, places=3)
percents = st.decimals(min_value=0, max_value=100, places=2)


@given(
    st.lists(
        st.tuples(quantities, money_values, percents, st.sampled_from(["0", "10", "22"])),
        max_size=8,
    )
)
def test_totals_are_always_exact_cents_and_add_up(rows):
    result = lines_totals([_line(q, p, d, v) for q, p, d, v in rows])
    for value in (result.taxable, result.vat, result.total):
        assert value == value.quantize(D("0.01"))
    assert result.total == result.taxable + result.vat
    assert result.taxable == sum((net for _l, net in result.lines), D("0.00"))
    assert result.vat == sum((v.vat for v in result.by_rate), D("0.00"))
