"""Totals and VAT to the cent, computed in one place."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from orders.totals import compute_totals, line_net


def _line(quantity, price, discount="0", vat="22"):
    return SimpleNamespace(
        quantity=D(quantity),
        unit_price=D(price),
        discount_percent=D(discount),
        vat_percent=D(vat),
        vat_rate=f"VAT {vat}%",
    )


def test_line_net_rounds_half_up_to_the_cent():
    assert line_net(quantity=D("3"), unit_price=D("0.335"), discount_percent=D("0")) == D("1.01")
    assert line_net(quantity=D("1"), unit_price=D("10.05"), discount_percent=D("50")) == D("5.03")
    assert line_net(quantity=D("2.5"), unit_price=D("19.99"), discount_percent=D("12.5")) == D(
        "43.73"
    )  # 49.975 - 6.246875 = 43.728125


def test_vat_is_computed_per_rate_on_the_taxable_amount():
    totals = compute_totals(
        [
            _line("1", "0.05"),  # VAT 0.011 per line: 0.01 each, but 0.033 -> 0.03 on the sum
            _line("1", "0.05"),
            _line("1", "0.05"),
            _line("2", "100", "10", "10"),
            _line("1", "50", "0", "0"),
        ]
    )
    by_rate = {b.vat_percent: (b.taxable, b.vat) for b in totals.buckets}
    assert by_rate == {
        D("0"): (D("50.00"), D("0.00")),
        D("10"): (D("180.00"), D("18.00")),
        D("22"): (D("0.15"), D("0.03")),
    }
    assert totals.taxable == D("230.15")
    assert totals.vat == D("18.03")
    assert totals.total == D("248.18")
    assert [net for _line, net in totals.lines] == [D("0.05")] * 3 + [D("180.00"), D("50.00")]


def test_an_empty_offer_totals_zero():
    totals = compute_totals([])
    assert (totals.taxable, totals.vat, totals.total) == (D("0.00"), D("0.00"), D("0.00"))


money = st.decimals(min_value=0, max_value=10000, places=2)
quantity = st.decimals(min_value=D("0.001"), max_value=1000, places=3)
percent = st.decimals(min_value=0, max_value=100, places=2)


@given(
    st.lists(st.tuples(quantity, money, percent, st.sampled_from(["0", "10", "22"])), max_size=8)
)
def test_totals_are_always_exact_cents_and_add_up(rows):
    totals = compute_totals([_line(q, p, d, v) for q, p, d, v in rows])
    for value in (totals.taxable, totals.vat, totals.total):
        assert value == value.quantize(D("0.01"))
    assert totals.total == totals.taxable + totals.vat
    assert totals.taxable == sum((net for _l, net in totals.lines), D("0.00"))
