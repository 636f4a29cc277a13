"""Where each price comes from, every quoted line kind, each labour rate, kilometres at the
customer's price and expenses by rule, checked line by line against figures worked by hand
(docs/invoicing.md, "Pricing order" and "An invoice worked by hand")."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from calls.models import Call, Expense, ExpenseKind, State
from invoicing import billing, services
from invoicing.models import Correction, LineKind, VerifiedFigures
from invoicing.selectors import bills_for
from planner.models import LabourRate, TimeEntry, WorkKind
from quotes.models import RateKind
from tests.calls.factories import make_call, make_intervention_type
from tests.factories import make_user
from tests.invoicing.factories import DAY, make_quote
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db


def _rates(**prices: str) -> list:
    """Price list rates from keyword prices: labour_hour="60.00", km="0.62"..."""
    return [
        (kind.upper(), kind, "u", price, kind, str(RateKind(kind).label))
        for kind, price in prices.items()
    ]


@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


@pytest.fixture
def technician():
    return make_user(None, Role.TECHNICIAN)


def _done(technician, *, call=None, type_=None, quote_lines=None, hours=(), km=None, expenses=()):
    """A done intervention with (work kind, rate, hours) entries, km and (kind, amount)
    expenses; the technician's km are reimbursed at 0.555."""
    call = call or make_call()
    intervention = call.interventions.get(number=1)
    intervention.type = type_ or make_intervention_type()
    intervention.requested_date = DAY
    intervention.technician = technician
    intervention.state = State.DONE
    if quote_lines is not None:
        intervention.quote = make_quote(call.customer, lines=quote_lines)
    intervention.save()
    Call.objects.filter(pk=call.pk).update(status=State.DONE)
    for kind, rate, value in hours:
        TimeEntry.objects.create(
            user=technician,
            date=DAY,
            hours=Decimal(value),
            kind=kind,
            rate=rate,
            intervention=intervention,
            created_by=technician,
        )
    if km:
        Expense.objects.create(
            intervention=intervention,
            kind=ExpenseKind.KM,
            date=DAY,
            km=Decimal(km),
            km_rate=Decimal("0.555"),
            amount=(Decimal(km) * Decimal("0.555")).quantize(Decimal("0.01")),
            created_by=technician,
        )
    for kind, amount in expenses:
        Expense.objects.create(
            intervention=intervention,
            kind=kind,
            date=DAY,
            amount=Decimal(amount),
            created_by=technician,
        )
    return intervention


def _bill(intervention):
    return bills_for([intervention])[0]


def _figures(bill):
    """[(key, quantity, unit price, amount, source)] in bill order."""
    return [
        (line.key, line.quantity, line.unit_price, line.amount, str(line.source))
        for line in bill.lines
    ]


FULL_QUOTE = [
    (RateKind.LABOUR_HOUR, "4", "55.00", "10"),
    (RateKind.OVERTIME_HOUR, "1", "82.50"),
    (RateKind.TRAVEL_HOUR, "2", "40.00"),
    (RateKind.KM, "100", "0.58"),
    (RateKind.CALL_OUT, "1", "80.00"),
    (RateKind.FIXED_PRICE, "1", "390.00"),
    (RateKind.OTHER, "1", "22.50"),
]


def test_a_quoted_intervention_bills_every_line_kind_and_each_labour_rate(technician, settings):
    settings.EXPENSE_RULES = {
        **settings.EXPENSE_RULES,
        "lodging": {"rebill": "markup", "percent": "10", "reimburse": True},
    }
    # The quote has no holiday rate: the holiday hours take the company default list's.
    make_price_list(rates=_rates(holiday_hour="100.00"), is_default=True, name="Default 2026")
    intervention = _done(
        technician,
        quote_lines=FULL_QUOTE,
        hours=[
            (WorkKind.LABOUR, LabourRate.NORMAL, "4"),
            (WorkKind.LABOUR, LabourRate.OVERTIME, "1.5"),
            (WorkKind.LABOUR, LabourRate.HOLIDAY, "2"),
            (WorkKind.TRAVEL, LabourRate.NORMAL, "1.5"),
        ],
        km="120",
        expenses=[
            (ExpenseKind.MEAL, "15.50"),  # the technician's lunch: reimbursed, not billed
            (ExpenseKind.TOLL, "8.40"),  # at cost
            (ExpenseKind.LODGING, "90.00"),  # at cost + 10 %
        ],
    )
    quote = f"quote {intervention.quote.code}"
    toll = intervention.expenses.get(kind=ExpenseKind.TOLL)
    lodging = intervention.expenses.get(kind=ExpenseKind.LODGING)
    other_lines = {q.kind: q.pk for q in intervention.quote.lines.all()}
    bill = _bill(intervention)
    assert _figures(bill) == [
        # 55.00 less 10 % = 49.50 x 4 h
        ("labour:normal", Decimal("4"), Decimal("49.50"), Decimal("198.00"), quote),
        # 82.50 x 1.5 h
        ("labour:overtime", Decimal("1.5"), Decimal("82.50"), Decimal("123.75"), quote),
        # not quoted: the company default list's 100.00 x 2 h
        (
            "labour:holiday",
            Decimal("2"),
            Decimal("100.00"),
            Decimal("200.00"),
            "company default list",
        ),
        ("travel", Decimal("1.5"), Decimal("40.00"), Decimal("60.00"), quote),
        (f"quote:{other_lines['call_out']}", 1, Decimal("80.00"), Decimal("80.00"), quote),
        (f"quote:{other_lines['fixed_price']}", 1, Decimal("390.00"), Decimal("390.00"), quote),
        (f"quote:{other_lines['other']}", 1, Decimal("22.50"), Decimal("22.50"), quote),
        # 120 km at the customer's 0.58, not at the technician's 0.555
        ("km", Decimal("120"), Decimal("0.58"), Decimal("69.60"), quote),
        (f"expense:{toll.pk}", 1, Decimal("8.40"), Decimal("8.40"), "at cost"),
        (f"expense:{lodging.pk}", 1, Decimal("99.00"), Decimal("99.00"), "at cost + 10 %"),
    ]
    meal = intervention.expenses.get(kind=ExpenseKind.MEAL)
    assert not any(line.key == f"expense:{meal.pk}" for line in bill.lines)
    labour = next(line for line in bill.lines if line.key == "labour:normal")
    assert labour.differs is False  # 4 h quoted, 4 h worked
    km = next(line for line in bill.lines if line.key == "km")
    assert km.quoted == Decimal("100") and km.differs  # quantities compared, never euros
    totals = billing.totals(bill.lines)
    # 198.00 + 123.75 + 200.00 + 60.00 + 80.00 + 390.00 + 22.50 + 69.60 + 99.00 + 8.40
    assert totals.taxable == Decimal("1251.25")
    assert totals.vat == Decimal("275.28")  # 22 % of 1251.25 = 275.275, half up
    assert totals.total == Decimal("1526.53")


URGENT = [
    (WorkKind.LABOUR, LabourRate.NORMAL, "3"),
    (WorkKind.TRAVEL, LabourRate.NORMAL, "2"),
]


@pytest.fixture
def lists():
    """A type with its own list, and the company default list (the customer's list is made per
    test)."""
    type_list = make_price_list(
        rates=_rates(labour_hour="65.00", travel_hour="50.00", km="0.60"), name="Urgent list"
    )
    default = make_price_list(
        rates=_rates(labour_hour="58.00", travel_hour="42.00", km="0.65", call_out="75.00"),
        is_default=True,
        name="Standard 2026",
    )
    urgent = make_intervention_type(name_en="Urgent stop", price_list=type_list)
    return urgent, default


def test_a_quote_free_urgent_stop_takes_the_customers_own_list_first(technician, lists):
    urgent, _default = lists
    call = make_call()
    make_price_list(
        rates=_rates(labour_hour="60.00", travel_hour="45.00", call_out="70.00"),
        customer=call.customer,
        name="Rossi 2026",
    )
    intervention = _done(technician, call=call, type_=urgent, hours=URGENT, km="80")
    own, of_type = "customer price list Rossi 2026", "price list of type Urgent stop"
    assert _figures(_bill(intervention)) == [
        ("labour:normal", Decimal("3"), Decimal("60.00"), Decimal("180.00"), own),
        ("travel", Decimal("2"), Decimal("45.00"), Decimal("90.00"), own),
        ("call_out", Decimal("1"), Decimal("70.00"), Decimal("70.00"), own),
        # the customer's list has no km rate: the type's list prices them, 80 x 0.60
        ("km", Decimal("80"), Decimal("0.60"), Decimal("48.00"), of_type),
    ]
    totals = billing.totals(_bill(intervention).lines)
    assert (totals.taxable, totals.vat, totals.total) == (
        Decimal("388.00"),  # 180 + 90 + 70 + 48
        Decimal("85.36"),  # 22 % (DEFAULT_VAT_RATE: no quote)
        Decimal("473.36"),
    )


def test_an_expired_or_warranty_customer_list_is_skipped_for_the_types_list(technician, lists):
    urgent, _default = lists
    call = make_call()
    make_price_list(
        rates=_rates(labour_hour="1.00"),
        customer=call.customer,
        valid_to=datetime.date(2026, 6, 30),  # the work is on 20 November
    )
    make_price_list(rates=_rates(labour_hour="2.00"), customer=call.customer, is_warranty=True)
    intervention = _done(technician, call=call, type_=urgent, hours=URGENT, km="80")
    of_type = "price list of type Urgent stop"
    assert _figures(_bill(intervention)) == [
        ("labour:normal", Decimal("3"), Decimal("65.00"), Decimal("195.00"), of_type),
        ("travel", Decimal("2"), Decimal("50.00"), Decimal("100.00"), of_type),
        # the type's list has no call-out fee: the company default's
        ("call_out", Decimal("1"), Decimal("75.00"), Decimal("75.00"), "company default list"),
        ("km", Decimal("80"), Decimal("0.60"), Decimal("48.00"), of_type),
    ]
    assert billing.totals(_bill(intervention).lines).total == Decimal("509.96")  # 418.00 + 91.96


def test_without_customer_or_type_list_the_company_default_prices_the_work(technician, lists):
    intervention = _done(technician, hours=URGENT, km="80")
    default = "company default list"
    assert _figures(_bill(intervention)) == [
        ("labour:normal", Decimal("3"), Decimal("58.00"), Decimal("174.00"), default),
        ("travel", Decimal("2"), Decimal("42.00"), Decimal("84.00"), default),
        ("call_out", Decimal("1"), Decimal("75.00"), Decimal("75.00"), default),
        ("km", Decimal("80"), Decimal("0.65"), Decimal("52.00"), default),
    ]
    assert billing.totals(_bill(intervention).lines).total == Decimal("469.70")  # 385 + 84.70


def test_warranty_work_bills_every_priced_line_at_zero(technician, lists):
    warranty = make_intervention_type(is_warranty=True)
    intervention = _done(technician, type_=warranty, hours=URGENT, km="80")
    bill = _bill(intervention)
    assert [line.key for line in bill.lines] == ["labour:normal", "travel", "call_out", "km"]
    assert all(line.amount == 0 and "warranty" in line.note for line in bill.lines)
    assert billing.totals(bill.lines).total == Decimal("0.00")


def test_nothing_prices_the_work_the_lines_say_no_rate(technician):
    intervention = _done(technician, hours=URGENT, km="80")
    bill = _bill(intervention)
    assert all(line.amount == 0 and "no rate" in line.note for line in bill.lines)
    assert [line.key for line in bill.lines] == ["labour:normal", "travel", "km"]


def test_an_administrator_corrects_adds_and_removes_lines_with_reasons(technician, admin, lists):
    intervention = _done(
        technician,
        hours=URGENT,
        km="80",
        expenses=[(ExpenseKind.PARKING, "6.00")],
    )
    parking = intervention.expenses.get(kind=ExpenseKind.PARKING)

    def correct(**fields):
        return services.add_correction(
            intervention=intervention, acting_user=admin, reason="checked", **fields
        )

    correct(line="labour:normal", unit_price=Decimal("60.00"), discount=Decimal("5"))
    correct(line="travel", quantity=Decimal("1.5"))
    correct(line=f"expense:{parking.pk}", remove=True)
    added = correct(
        kind=LineKind.OTHER,
        description="Waste-oil disposal",
        quantity=Decimal("2"),
        unit_price=Decimal("22.50"),
    )
    bill = _bill(intervention)
    default = "company default list"
    assert _figures(bill) == [
        # 60.00 less 5 % = 57.00 x 3 h
        ("labour:normal", Decimal("3"), Decimal("57.00"), Decimal("171.00"), default),
        ("travel", Decimal("1.5"), Decimal("42.00"), Decimal("63.00"), default),
        ("call_out", Decimal("1"), Decimal("75.00"), Decimal("75.00"), default),
        ("km", Decimal("80"), Decimal("0.65"), Decimal("52.00"), default),
        (
            f"added:{added.pk}",
            Decimal("2"),
            Decimal("22.50"),
            Decimal("45.00"),
            "added at verification",
        ),
    ]
    corrected = [line.key for line in bill.lines if "corrected" in line.note]
    assert corrected == ["labour:normal", "travel", f"added:{added.pk}"]
    # 171 + 63 + 75 + 52 + 45 = 406.00; VAT 89.32
    assert billing.totals(bill.lines).total == Decimal("495.32")
    # the technician's records are untouched
    assert sorted(e.hours for e in intervention.time_entries.all()) == [2, 3]
    assert intervention.expenses.filter(kind=ExpenseKind.PARKING).exists()
    assert Correction.objects.filter(intervention=intervention).count() == 4
    # the latest correction of a line wins; verification freezes what is billed, issue checks it
    correct(line="travel", quantity=Decimal("2"))
    services.verify(intervention=intervention, acting_user=admin)
    figures = VerifiedFigures.objects.get(intervention=intervention)
    assert figures.total == Decimal("520.94")  # 406.00 + 21.00 = 427.00 + 93.94
    draft = services.create_draft(calls=[intervention.call], acting_user=admin)
    invoice = services.issue(invoice=draft, acting_user=admin)
    assert invoice.total == Decimal("520.94")
    assert [(line.kind, line.amount) for line in invoice.lines.all()] == [
        (LineKind.LABOUR, Decimal("171.00")),
        (LineKind.TRAVEL, Decimal("84.00")),
        (LineKind.CALL_OUT, Decimal("75.00")),
        (LineKind.KM, Decimal("52.00")),
        (LineKind.OTHER, Decimal("45.00")),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"line": "labour:holiday", "quantity": Decimal(1)}, "no longer on the bill"),
        ({"line": "labour:normal"}, "Give the corrected"),
        ({"kind": LineKind.OTHER, "quantity": Decimal(1)}, "quantity and a unit price"),
        ({"kind": "nonsense", "quantity": Decimal(1), "unit_price": Decimal(1)}, "kind"),
        ({"line": "labour:normal", "discount": Decimal(101)}, "between 0 and 100"),
        ({"line": "labour:normal", "unit_price": Decimal(-1)}, "negative"),
    ],
    ids=repr,
)
def test_impossible_corrections_are_refused(technician, admin, fields, message):
    intervention = _done(technician, hours=URGENT)
    with pytest.raises(services.InvoicingError, match=message):
        services.add_correction(
            intervention=intervention, acting_user=admin, reason="checked", **fields
        )
    assert not Correction.objects.exists()


def test_the_verification_page_shows_each_price_source_and_the_corrections(
    technician, admin, lists, admin_client_
):
    call = make_call()
    make_price_list(rates=_rates(labour_hour="60.00"), customer=call.customer, name="Rossi 2026")
    intervention = _done(technician, call=call, hours=URGENT, km="80")
    services.add_correction(
        intervention=intervention,
        acting_user=admin,
        line="km",
        quantity=Decimal("60"),
        reason="The motorway was closed, shorter route",
    )
    page = admin_client_.get(reverse("invoicing:verification_detail", args=[intervention.pk]))
    text = page.content.decode()
    assert "customer price list Rossi 2026" in text
    assert "company default list" in text
    assert "The motorway was closed, shorter route" in text
    assert '<option value="km">' in text  # each line can be corrected or removed
