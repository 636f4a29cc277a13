"""Builders for invoicing tests: done interventions with a quote, hours, expenses and parts."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from accounts.models import Role, User
from calls.models import Call, Expense, ExpenseKind, Intervention, PartUsed, State
from customers.models import Unit
from planner.models import TimeEntry, WorkKind
from quotes.models import Quote, QuoteLine, QuoteState, RateKind
from tests.calls.factories import make_call, make_intervention_type
from tests.factories import make_user
from tests.orders.factories import make_part
from tests.quotes.factories import make_price_list

_seq = itertools.count(1)
DAY = datetime.date(2026, 11, 20)


def make_quote(customer, *, lines=(), vat_rate: str = "22.00", by: User | None = None) -> Quote:
    """A confirmed quote with (kind, quantity, unit price[, discount]) lines."""
    by = by or make_user(None, Role.OPERATOR)
    price_list = make_price_list()
    quote = Quote.objects.create(
        code=f"Q-TEST-{next(_seq)}",
        customer=customer,
        price_list=price_list,
        price_list_name=price_list.name,
        currency="EUR",
        vat_rate=Decimal(vat_rate),
        state=QuoteState.CONFIRMED,
        created_by=by,
    )
    for position, (kind, quantity, price, *discount) in enumerate(lines, start=1):
        QuoteLine.objects.create(
            quote=quote,
            kind=kind,
            description=str(RateKind(kind).label),
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            discount=Decimal(discount[0]) if discount else Decimal(0),
            position=position,
        )
    return quote


STANDARD_QUOTE = [
    (RateKind.LABOUR_HOUR, "3", "55.00"),
    (RateKind.TRAVEL_HOUR, "1", "40.00"),
    (RateKind.CALL_OUT, "1", "80.00"),
    (RateKind.KM, "100", "0.58"),
]


def make_done_intervention(
    *,
    technician: User | None = None,
    call: Call | None = None,
    unit: Unit | None = None,
    quote_lines=STANDARD_QUOTE,
    labour: str = "4",
    travel: str = "1",
    km: str | None = "100",
    warranty: bool = False,
) -> Intervention:
    """A done intervention: quote, labour/travel hours, km, a meal and one part (VAT 22 and 10).

    Billed with the standard quote: labour 4 h x 55 = 220.00, travel 1 h x 40 = 40.00, call-out
    80.00, 100 km x 0.58 = 58.00 (the technician is reimbursed 55.50), the meal is not billed,
    the part 2 x 12.35 = 24.70 at 10 %: taxable 422.70, VAT 87.56 + 2.47, total 512.73."""
    technician = technician or make_user(None, Role.TECHNICIAN, email="tech@example.com")
    call = call or make_call(unit=unit)
    intervention = call.interventions.get(number=1)
    intervention.type = make_intervention_type(is_warranty=warranty)
    intervention.requested_date = DAY
    intervention.technician = technician
    intervention.state = State.DONE
    if quote_lines is not None:
        intervention.quote = make_quote(call.customer, lines=quote_lines)
    intervention.save()
    Call.objects.filter(pk=call.pk).update(status=State.DONE)
    for kind, hours in ((WorkKind.LABOUR, labour), (WorkKind.TRAVEL, travel)):
        if hours:
            TimeEntry.objects.create(
                user=technician,
                date=DAY,
                hours=Decimal(hours),
                kind=kind,
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
    Expense.objects.create(
        intervention=intervention,
        kind=ExpenseKind.MEAL,
        date=DAY,
        amount=Decimal("15.50"),
        created_by=technician,
    )
    part = make_part()
    PartUsed.objects.create(
        intervention=intervention,
        spare_part=part,
        code=part.code,
        description="Valve",
        quantity=Decimal("2"),
        unit_price=Decimal("12.35"),
        vat_rate=Decimal("10.00"),
        created_by=technician,
    )
    return intervention


def make_verified_call(**kwargs) -> Call:
    intervention = make_done_intervention(**kwargs)
    Intervention.objects.filter(pk=intervention.pk).update(state=State.VERIFIED)
    Call.objects.filter(pk=intervention.call_id).update(status=State.VERIFIED)
    return intervention.call
