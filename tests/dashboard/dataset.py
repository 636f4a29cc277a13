"""A known data set for the dashboard: ten calls whose every figure is worked out by hand.

Used by tests/dashboard and the browser test (tests/e2e/test_dashboard.py) through ``data``.

Period figures are checked on October 2026 (calls 1-6); the "now" figures use dates relative
to today, so they hold whatever day the suite runs. Expected values are in the tests.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role, User
from calls import services as call_services
from calls import summaries
from calls.models import Call, Intervention, InterventionTransition, InterventionType, State
from customers.models import Customer, Product, Unit
from planner.models import Activity, ActivityKind, TimeEntry, WorkKind
from quotes.models import Quote, QuoteLine, RateKind
from tests.calls.factories import make_intervention_type
from tests.factories import make_customer, make_product, make_site, make_unit, make_user
from tests.quotes.factories import make_price_list

OCTOBER = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))


def at(day: datetime.date, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def oct_(day: int, hour: int = 0) -> datetime.datetime:
    return at(datetime.date(2026, 10, day), hour)


@dataclass
class DataSet:
    tech_a: User
    tech_b: User
    office: User
    c1: Customer
    c2: Customer
    u1: Unit
    u2: Unit
    u3: Unit
    p1: Product
    p2: Product
    t1: InterventionType
    t2: InterventionType
    calls: dict[int, Call]


class Builder:
    def __init__(self, office: User) -> None:
        self.office = office
        self.price_list = make_price_list()
        self.quotes = 0

    def call(self, unit: Unit, received: datetime.datetime) -> tuple[Call, Intervention]:
        call = call_services.create_call(
            acting_user=self.office,
            customer=unit.site.customer,
            site=unit.site,
            unit=unit,
            description="Stops with E42",
            received_at=received,
        )
        return call, call.interventions.get()

    def state(self, intervention: Intervention, state: str, **fields) -> None:
        Intervention.objects.filter(pk=intervention.pk).update(state=state, **fields)
        Call.objects.filter(pk=intervention.call_id).update(status=state)
        # Past the services, as they do: the dashboard's daily call summaries follow the change.
        summaries.refresh_for(Call.objects.get(pk=intervention.call_id))

    def transition(self, intervention, from_state, to_state, when) -> None:
        row = InterventionTransition.objects.create(
            intervention=intervention, from_state=from_state, to_state=to_state, by=self.office
        )
        InterventionTransition.objects.filter(pk=row.pk).update(at=when)

    def quote(self, intervention, labour: str, travel: str) -> None:
        self.quotes += 1
        quote = Quote.objects.create(
            code=f"Q-TEST-{self.quotes}",
            customer=intervention.call.customer,
            price_list=self.price_list,
            price_list_name=self.price_list.name,
            currency="EUR",
            vat_rate=Decimal("22"),
            created_by=self.office,
        )
        for kind, quantity in ((RateKind.LABOUR_HOUR, labour), (RateKind.TRAVEL_HOUR, travel)):
            QuoteLine.objects.create(
                quote=quote,
                kind=kind,
                description=kind,
                quantity=Decimal(quantity),
                unit_price=Decimal("50"),
            )
        # A call-out line is not hours: it must not count.
        QuoteLine.objects.create(
            quote=quote, kind=RateKind.CALL_OUT, description="x", quantity=1, unit_price=80
        )
        Intervention.objects.filter(pk=intervention.pk).update(quote=quote)

    def visit(self, intervention, technician, start, end) -> None:
        Activity.objects.create(
            technician=technician,
            kind=ActivityKind.INTERVENTION,
            intervention=intervention,
            start=start,
            end=end,
            created_by=self.office,
        )

    def hours(self, intervention, user, day, kind, hours) -> None:
        TimeEntry.objects.create(
            user=user,
            date=day,
            hours=Decimal(hours),
            kind=kind,
            intervention=intervention,
            created_by=user,
        )


@pytest.fixture
def data(db) -> DataSet:
    return build()


def build() -> DataSet:
    today = timezone.localdate()
    tech_a = make_user("alice", Role.TECHNICIAN, first_name="Alice", last_name="Rossi")
    tech_b = make_user("bruno", Role.TECHNICIAN, first_name="Bruno", last_name="Verdi")
    office = make_user("olga", Role.OPERATOR)
    b = Builder(office)
    c1, c2 = make_customer(name="Acme Macchine"), make_customer(name="Beta Foods")
    p1 = make_product(code="AAA-1", description_en="Press", description_it="Pressa")
    p2 = make_product(code="BBB-2", description_en="Oven", description_it="Forno")
    s1, s2 = make_site(c1), make_site(c2)
    u1 = make_unit(s1, p1, serial_number="SN-U1")
    u2 = make_unit(s1, p1, serial_number="SN-U2")
    u3 = make_unit(s2, p2, serial_number="SN-U3")
    t1 = make_intervention_type(code="repair")
    t2 = make_intervention_type(code="maintenance")
    calls = {}

    # 1: done by Alice; visit 24 h after the call; done at +30 h, sent back, done again at +48 h.
    call, i = b.call(u1, oct_(5, 8))
    b.state(i, State.DONE, type=t1, technician=tech_a)
    b.quote(i, labour="4", travel="2")
    b.visit(i, tech_a, oct_(6, 8), oct_(6, 12))
    b.hours(i, tech_a, datetime.date(2026, 10, 6), WorkKind.LABOUR, "5")
    b.hours(i, tech_a, datetime.date(2026, 10, 6), WorkKind.TRAVEL, "2")
    b.hours(i, tech_a, datetime.date(2026, 10, 6), WorkKind.OFFICE, "1")
    b.transition(i, State.PLANNED, State.DONE, oct_(6, 14))
    b.transition(i, State.DONE, State.PLANNED, oct_(7, 0))
    b.transition(i, State.PLANNED, State.DONE, oct_(7, 8))
    calls[1] = call
    # 2: resolved by phone.
    call, i = b.call(u1, oct_(10, 9))
    b.state(i, State.RESOLVED_BY_PHONE)
    calls[2] = call
    # 3: Bruno, maintenance; visit 4 h after the call, done 24 h after it, then verified.
    call, i = b.call(u2, oct_(12, 10))
    b.state(i, State.VERIFIED, type=t2, technician=tech_b)
    b.quote(i, labour="2", travel="1")
    b.visit(i, tech_b, oct_(12, 14), oct_(12, 16))
    b.hours(i, tech_b, datetime.date(2026, 10, 12), WorkKind.LABOUR, "1.5")
    b.hours(i, tech_b, datetime.date(2026, 10, 12), WorkKind.TRAVEL, "1")
    b.transition(i, State.PLANNED, State.DONE, oct_(13, 10))
    b.transition(i, State.DONE, State.VERIFIED, oct_(14, 10))
    calls[3] = call
    # 4: resolved by phone; 5: cancelled.
    call, i = b.call(u3, oct_(20, 11))
    b.state(i, State.RESOLVED_BY_PHONE)
    calls[4] = call
    call, i = b.call(u3, oct_(25, 12))
    b.state(i, State.CANCELLED)
    calls[5] = call
    # 6: planned for Alice next Monday (a visit not begun yet), requested 30 days ago: overdue.
    call, i = b.call(u3, oct_(28, 12))
    b.state(i, State.PLANNED, type=t1, technician=tech_a, requested_date=today - _days(30))
    monday = today + _days(7 - today.weekday())
    b.visit(i, tech_a, at(monday, 9), at(monday, 12))
    calls[6] = call

    # Outside October: the workload.
    # 7: Bruno's visit today (all day), requested today: on the planner today, not overdue.
    call, i = b.call(u2, at(datetime.date(2026, 9, 15), 9))
    b.state(i, State.PLANNED, type=t1, technician=tech_b, requested_date=today)
    b.visit(i, tech_b, at(today), at(today + _days(1)))
    calls[7] = call
    # 8: expected, requested in 5 days: unplanned, not overdue.
    call, i = b.call(u3, at(datetime.date(2026, 11, 2), 9))
    b.state(i, State.EXPECTED, type=t2, requested_date=today + _days(5))
    calls[8] = call
    # 9: quoted, requested 19 days ago: unplanned and overdue.
    call, i = b.call(u1, at(datetime.date(2026, 11, 3), 9))
    b.state(i, State.QUOTED, type=t1, requested_date=today - _days(19))
    calls[9] = call
    # 10: planned, requested in 10 days, but its only visit was 9 days ago: overdue.
    call, i = b.call(u3, at(datetime.date(2026, 11, 5), 9))
    b.state(i, State.PLANNED, type=t1, technician=tech_a, requested_date=today + _days(10))
    b.visit(i, tech_a, at(today - _days(9), 9), at(today - _days(9), 11))
    calls[10] = call

    # An operator's hours are not a technician's activity.
    b.hours(None, office, datetime.date(2026, 10, 6), WorkKind.OFFICE, "3")
    return DataSet(tech_a, tech_b, office, c1, c2, u1, u2, u3, p1, p2, t1, t2, calls)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
