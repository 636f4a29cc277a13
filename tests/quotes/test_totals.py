"""Quote arithmetic to the cent: rounding half up per line, VAT on the taxable amount."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from quotes.totals import increase, line_net, money, quote_totals


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
        ("7", "13.33", "33.33", "62.21"),
        ("1", "99.99", "100", "0.00"),
        ("9999.99", "99999999.99", "0", "999998999900.00"),
    ],
)
def test_line_net(quantity, price, discount, expected):
    assert line_net(D(quantity), D(price), D(discount)) == D(expected)


def test_money_rounds_half_up_and_keeps_two_decimals():
    assert money(D("2.675")) == D("2.68")
    assert money(D("2.665")) == D("2.67")
    assert money(D("-2.675")) == D("-2.68")
    assert str(money(D("5"))) == "5.00"


def test_quote_totals_with_vat_to_the_cent():
    totals = quote_totals(
        [(D("2.5"), D("55.00"), D("0")), (D("120"), D("0.55"), D("0")), (D("1"), D("80"), D("10"))],
        D("22"),
    )
    assert totals.taxable == D("275.50")  # 137.50 + 66.00 + 72.00
    assert totals.vat == D("60.61")  # 60.61
    assert totals.total == D("336.11")


def test_vat_is_rounded_once_on_the_taxable_amount():
    # Three lines of 0.10: per-line VAT would be 3 x 0.02 = 0.06; on the taxable 0.30 it is 0.07.
    totals = quote_totals([(D("1"), D("0.10"), D("0"))] * 3, D("22"))
    assert totals.taxable == D("0.30")
    assert totals.vat == D("0.07")  # 0.066 -> 0.07
    assert totals.total == D("0.37")


def test_vat_half_cent_rounds_up():
    totals = quote_totals([(D("1"), D("0.25"), D("0"))], D("10"))
    assert totals.vat == D("0.03")  # 0.025 -> 0.03
    assert totals.total == D("0.28")


def test_sum_of_lines_equals_taxable_exactly():
    lines = [(D("1"), D("0.333"), D("0"))] * 3  # each 0.33 printed: taxable must be 0.99, not 1.00
    assert quote_totals(lines, D("22")).taxable == D("0.99")


def test_empty_quote_and_zero_vat():
    totals = quote_totals([], D("22"))
    assert totals.taxable == totals.vat == totals.total == D("0.00")
    assert quote_totals([(D("1"), D("100"), D("0"))], D("0")).total == D("100.00")


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
