"""Price-list choice, quotes made from a list, line edits with their permission rules."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from quotes.models import PriceList, Quote, QuoteEvent, QuoteState, Rate, RateKind
from quotes.services import (
    LineChange,
    QuoteError,
    confirm_quote,
    copy_price_list,
    create_quote_from_price_list,
    price_lists_for,
    revise_quote,
    update_quote_lines,
    update_quote_terms,
)
from tests.factories import make_customer, make_user
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 15)


@pytest.fixture
def customer():
    return make_customer(language="en")


@pytest.fixture
def quote(customer, operator):
    price_list = make_price_list(name="Standard 2026")
    return create_quote_from_price_list(
        customer=customer, price_list=price_list, acting_user=operator
    )


def _changes(quote, **by_code):
    """One LineChange per line, with the quantities given by code (others unchanged)."""
    return [
        LineChange(line_id=line.pk, quantity=D(by_code.get(line.code, line.quantity)))
        for line in quote.lines.all()
    ]


# --- price_lists_for -----------------------------------------------------------------------
def test_price_lists_for_puts_the_customer_list_first_and_hides_others(customer):
    standard = make_price_list(name="A standard", rates=[])
    own = make_price_list(name="Z own", customer=customer, rates=[])
    make_price_list(name="Other's", customer=make_customer(), rates=[])
    warranty = make_price_list(name="Warranty", is_warranty=True, rates=[])
    make_price_list(
        name="Expired",
        valid_to=datetime.date(2025, 12, 31),
        valid_from=datetime.date(2025, 1, 1),
        rates=[],
    )
    make_price_list(name="Future", valid_from=datetime.date(2027, 1, 1), rates=[])
    make_price_list(name="Inactive", active=False, rates=[])

    assert price_lists_for(customer, DAY) == [own, standard]
    assert price_lists_for(customer, DAY, under_warranty=True) == [warranty, own, standard]


def test_price_lists_for_prefers_the_newest_list_of_the_same_kind(customer):
    old = make_price_list(name="2025", valid_from=datetime.date(2025, 1, 1), rates=[])
    new = make_price_list(name="2026", valid_from=datetime.date(2026, 1, 1), rates=[])
    assert price_lists_for(customer, DAY) == [new, old]
    assert price_lists_for(customer, datetime.date(2025, 6, 1)) == [old]


# --- create_quote_from_price_list ----------------------------------------------------------
def test_a_quote_copies_the_rates_in_the_customer_language(quote, customer, settings):
    assert quote.code.startswith(f"{timezone.localdate().year}-P")
    assert quote.state == QuoteState.DRAFT
    assert quote.price_list_name == "Standard 2026"
    assert quote.currency == "EUR"
    assert quote.vat_rate == settings.DEFAULT_VAT_RATE == D("22")
    lines = list(quote.lines.all())
    assert [(ln.code, ln.description, ln.quantity, ln.unit_price) for ln in lines] == [
        ("MO", "Technician labour", D("1.00"), D("55.00")),
        ("VI", "Travel time", D("1.00"), D("40.00")),
        ("KM", "Mileage", D("1.00"), D("0.55")),
        ("DC", "Call-out fee", D("1.00"), D("80.00")),
    ]
    assert lines[0].kind == RateKind.LABOUR_HOUR and lines[0].rate.code == "MO"
    assert quote.totals().total == D("214.17")  # 175.55 + 38.62
    assert QuoteEvent.objects.filter(quote=quote, action="created").count() == 1


def test_italian_customer_gets_italian_descriptions(operator):
    with translation.override("en"):
        quote = create_quote_from_price_list(
            customer=make_customer(language="it"),
            price_list=make_price_list(),
            acting_user=operator,
        )
    assert quote.lines.first().description == "Manodopera tecnico"


def test_codes_are_unique_and_sequential(customer, operator):
    price_list = make_price_list()
    a = create_quote_from_price_list(customer=customer, price_list=price_list, acting_user=operator)
    b = create_quote_from_price_list(customer=customer, price_list=price_list, acting_user=operator)
    assert int(b.code[-6:]) == int(a.code[-6:]) + 1


def test_prices_are_frozen_when_the_price_list_changes(quote):
    Rate.objects.filter(price_list=quote.price_list).update(price=D("999.00"))
    PriceList.objects.filter(pk=quote.price_list_id).update(name="Renamed", currency="CHF")
    quote.refresh_from_db()
    assert quote.price_list_name == "Standard 2026" and quote.currency == "EUR"
    assert quote.lines.get(code="MO").unit_price == D("55.00")
    assert quote.totals().taxable == D("175.55")


def test_a_technician_cannot_quote(customer, technician):
    with pytest.raises(PermissionDenied):
        create_quote_from_price_list(
            customer=customer, price_list=make_price_list(), acting_user=technician
        )


def test_another_customer_list_or_an_inactive_one_is_refused(customer, operator):
    with pytest.raises(QuoteError, match="belongs to another customer"):
        create_quote_from_price_list(
            customer=customer,
            price_list=make_price_list(customer=make_customer()),
            acting_user=operator,
        )
    with pytest.raises(QuoteError, match="not active"):
        create_quote_from_price_list(
            customer=customer, price_list=make_price_list(active=False), acting_user=operator
        )
    assert not Quote.objects.exists()


# --- update_quote_lines --------------------------------------------------------------------
def test_an_operator_changes_quantities_adds_and_removes_lines(quote, operator):
    changes = _changes(quote, MO="2.5", KM="120")
    call_out = quote.lines.get(code="DC")
    changes = [c for c in changes if c.line_id != call_out.pk]
    changes.append(LineChange(line_id=call_out.pk, quantity=D("1"), delete=True))
    extra_rate = Rate.objects.get(price_list=quote.price_list, code="VI")
    changes.append(LineChange(rate_id=extra_rate.pk, quantity=D("3")))
    update_quote_lines(quote=quote, lines=changes, acting_user=operator)

    lines = {(ln.code, ln.quantity) for ln in quote.lines.all()}
    assert lines == {("MO", D("2.50")), ("VI", D("1.00")), ("KM", D("120.00")), ("VI", D("3.00"))}
    assert quote.totals().taxable == D("137.50") + D("40.00") + D("66.00") + D("120.00")


def test_an_operator_may_not_change_prices_or_discounts(quote, operator):
    line = quote.lines.get(code="MO")
    for change in (
        LineChange(line_id=line.pk, quantity=D("1"), unit_price=D("10.00")),
        LineChange(line_id=line.pk, quantity=D("1"), discount=D("10")),
    ):
        with pytest.raises(QuoteError, match="only an administrator may change prices"):
            update_quote_lines(quote=quote, lines=[change], acting_user=operator)
    with pytest.raises(QuoteError, match="own price"):
        update_quote_lines(
            quote=quote,
            lines=[LineChange(quantity=D("1"), description="Special", unit_price=D("5"))],
            acting_user=operator,
        )
    line.refresh_from_db()
    assert (line.unit_price, line.discount) == (D("55.00"), D("0.00"))


def test_unchanged_prices_sent_back_by_the_form_are_fine_for_an_operator(quote, operator):
    line = quote.lines.get(code="MO")
    update_quote_lines(
        quote=quote,
        lines=[LineChange(line_id=line.pk, quantity=D("4"), unit_price=D("55.00"), discount=D(0))],
        acting_user=operator,
    )
    line.refresh_from_db()
    assert line.quantity == D("4.00")


def test_an_administrator_changes_prices_discounts_and_adds_free_lines(quote, administrator):
    line = quote.lines.get(code="MO")
    update_quote_lines(
        quote=quote,
        lines=[
            LineChange(line_id=line.pk, quantity=D("2"), unit_price=D("60.00"), discount=D("10")),
            LineChange(quantity=D("1"), code="X1", description="Crane hire", unit_price=D("350")),
        ],
        acting_user=administrator,
    )
    line.refresh_from_db()
    assert (line.unit_price, line.discount, line.net) == (D("60.00"), D("10.00"), D("108.00"))
    assert quote.lines.get(code="X1").net == D("350.00")


def test_the_django_permission_lets_an_operator_change_prices(quote):
    operator = make_user("pricer", "operator")
    operator.user_permissions.add(Permission.objects.get(codename="change_quote_prices"))
    line = quote.lines.get(code="MO")
    update_quote_lines(
        quote=quote,
        lines=[LineChange(line_id=line.pk, quantity=D("1"), unit_price=D("50"))],
        acting_user=operator,
    )
    line.refresh_from_db()
    assert line.unit_price == D("50.00")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "MO: the quantity must be greater than zero."),
        ("-3", "MO: the quantity must be greater than zero."),
        ("10000", "MO: the quantity 10000 is too large (at most 9999.99)."),
        ("1e9", "is too large"),
        ("1.005", "at most two decimals"),
    ],
)
def test_negative_zero_or_absurd_quantities_are_refused(quote, operator, quantity, message):
    with pytest.raises(QuoteError) as error:
        update_quote_lines(quote=quote, lines=_changes(quote, MO=quantity), acting_user=operator)
    assert any(message in m for m in error.value.messages)
    assert quote.lines.get(code="MO").quantity == D("1.00")


def test_discount_out_of_range_is_refused(quote, administrator):
    line = quote.lines.get(code="MO")
    for discount in ("-1", "100.01"):
        with pytest.raises(QuoteError, match="between 0 and 100%"):
            update_quote_lines(
                quote=quote,
                lines=[LineChange(line_id=line.pk, quantity=D("1"), discount=D(discount))],
                acting_user=administrator,
            )


def test_all_errors_are_reported_together_and_nothing_is_saved(quote, operator):
    changes = _changes(quote, MO="-1", KM="0", VI="5")
    with pytest.raises(QuoteError) as error:
        update_quote_lines(quote=quote, lines=changes, acting_user=operator)
    assert len(error.value.messages) == 2
    assert quote.lines.get(code="VI").quantity == D("1.00")


def test_messages_are_translated(quote, operator):
    with translation.override("it"), pytest.raises(QuoteError) as error:
        update_quote_lines(quote=quote, lines=_changes(quote, MO="0"), acting_user=operator)
    assert error.value.messages == ["MO: la quantità deve essere maggiore di zero."]


def test_a_line_of_another_quote_or_a_rate_of_another_list_is_refused(quote, customer, operator):
    other = create_quote_from_price_list(
        customer=customer, price_list=make_price_list(), acting_user=operator
    )
    foreign_line = other.lines.first()
    with pytest.raises(QuoteError, match="not part of this quote"):
        update_quote_lines(
            quote=quote,
            lines=[LineChange(line_id=foreign_line.pk, quantity=D("1"), delete=True)],
            acting_user=operator,
        )
    foreign_rate = Rate.objects.filter(price_list=other.price_list).first()
    with pytest.raises(QuoteError, match="not part of this quote's price list"):
        update_quote_lines(
            quote=quote,
            lines=[LineChange(rate_id=foreign_rate.pk, quantity=D("1"))],
            acting_user=operator,
        )
    assert other.lines.count() == 4


def test_a_stale_version_is_refused(quote, operator):
    version = quote.version
    update_quote_lines(quote=quote, lines=_changes(quote, MO="2"), acting_user=operator)
    with pytest.raises(QuoteError, match="Someone else changed this quote"):
        update_quote_lines(
            quote=quote, lines=_changes(quote, MO="3"), acting_user=operator, version=version
        )


def test_a_technician_cannot_edit_lines(quote, technician):
    with pytest.raises(PermissionDenied):
        update_quote_lines(quote=quote, lines=_changes(quote, MO="2"), acting_user=technician)


def test_vat_rate_needs_the_price_permission(quote, operator, administrator):
    update_quote_terms(quote=quote, acting_user=operator, notes="Hello", vat_rate=D("22"))
    with pytest.raises(QuoteError, match="VAT rate"):
        update_quote_terms(quote=quote, acting_user=operator, notes="", vat_rate=D("10"))
    update_quote_terms(quote=quote, acting_user=administrator, notes="", vat_rate=D("10"))
    quote.refresh_from_db()
    assert quote.vat_rate == D("10.00")


# --- states ----------------------------------------------------------------------------------
def test_a_confirmed_quote_is_frozen_and_a_revision_is_a_new_draft(quote, operator):
    confirm_quote(quote=quote, acting_user=operator)
    quote.refresh_from_db()
    assert quote.state == QuoteState.CONFIRMED
    with pytest.raises(QuoteError, match="can no longer be changed"):
        update_quote_lines(quote=quote, lines=_changes(quote, MO="2"), acting_user=operator)
    with pytest.raises(QuoteError, match="cannot go from confirmed to confirmed"):
        confirm_quote(quote=quote, acting_user=operator)

    new = revise_quote(quote=quote, acting_user=operator)
    quote.refresh_from_db()
    assert quote.state == QuoteState.SUPERSEDED
    assert new.replaces == quote and new.state == QuoteState.DRAFT and new.code != quote.code
    assert [(ln.code, ln.unit_price) for ln in new.lines.all()] == [
        (ln.code, ln.unit_price) for ln in quote.lines.all()
    ]
    assert list(
        QuoteEvent.objects.filter(quote=quote, action="state").values_list("to_state", flat=True)
    ) == ["confirmed", "superseded"]


def test_a_draft_cannot_be_revised(quote, operator):
    with pytest.raises(QuoteError, match="Only a confirmed quote"):
        revise_quote(quote=quote, acting_user=operator)


# --- copy_price_list -----------------------------------------------------------------------
def test_copy_price_list_with_an_increase(customer, operator):
    source = make_price_list(name="Customer 2026", customer=customer, notes="n")
    copy = copy_price_list(
        price_list=source,
        name="Customer 2027",
        valid_from=datetime.date(2027, 1, 1),
        percent_increase=D("3"),
        acting_user=operator,
    )
    assert copy.customer == customer and copy.active and copy.pk != source.pk
    rates = {r.code: r for r in copy.rates.all()}
    assert rates["MO"].price == D("56.65")
    assert rates["KM"].price == D("0.57")  # 0.5665 -> 0.57
    assert rates["MO"].description_it == "Manodopera tecnico"
    assert rates["MO"].description_en == "Technician labour"
    assert source.rates.get(code="MO").price == D("55.00")


def test_copy_price_list_validates(operator, technician):
    source = make_price_list()
    with pytest.raises(QuoteError) as error:
        copy_price_list(
            price_list=source,
            name=" ",
            valid_from=datetime.date(2027, 1, 1),
            valid_to=datetime.date(2026, 1, 1),
            percent_increase=D("-101"),
            acting_user=operator,
        )
    assert len(error.value.messages) == 3
    with pytest.raises(PermissionDenied):
        copy_price_list(price_list=source, name="x", valid_from=DAY, acting_user=technician)


# --- the database is the last line of defence ------------------------------------------------
@pytest.mark.parametrize(
    "fields",
    [
        {"quantity": D("0")},
        {"quantity": D("-1")},
        {"quantity": D("10000")},
        {"discount": D("-0.01")},
        {"discount": D("100.01")},
        {"unit_price": D("-1")},
    ],
)
def test_check_constraints_refuse_bad_lines_written_directly(quote, fields):
    from django.db import IntegrityError, transaction

    from quotes.models import QuoteLine

    values = {"quantity": D("1"), "unit_price": D("1"), "discount": D("0"), **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteLine.objects.create(quote=quote, kind="other", description="x", **values)


def test_deleting_a_rate_keeps_the_quote_lines_made_from_it(quote):
    rate = Rate.objects.get(price_list=quote.price_list, code="MO")
    rate.delete()
    line = quote.lines.get(code="MO")
    assert line.rate is None
    assert (line.description, line.unit_price, line.kind) == (
        "Technician labour",
        D("55.00"),
        "labour_hour",
    )
