"""Issue 17, finding 2, in the services: verification freezes hours, expenses and parts,
reopening thaws them, and issuing bills exactly the verified figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from calls import access
from calls import services as call_services
from calls.models import Expense, Intervention, InterventionType, PartUsed, State
from calls.services import CallError, actuals
from invoicing import billing, selectors, services
from invoicing.models import Invoice, LineKind, VerifiedFigures
from planner import services as planner_services
from planner.models import TimeEntry, WorkKind
from planner.services import PlannerError
from service_portal.models import Counter
from tests.factories import make_unit, make_user
from tests.invoicing.factories import DAY, make_done_intervention
from tests.orders.factories import make_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


@pytest.fixture
def tech():
    return make_user("tina", Role.TECHNICIAN)


@pytest.fixture
def verified(admin, tech):
    intervention = make_done_intervention(technician=tech)
    services.verify(intervention=intervention, acting_user=admin)
    intervention.refresh_from_db()
    return intervention


def _issue(intervention, admin) -> Invoice:
    draft = services.create_draft(calls=[intervention.call], acting_user=admin)
    return services.issue(invoice=draft, acting_user=admin)


def test_verification_records_the_bill_it_approved(verified, admin):
    figures = VerifiedFigures.objects.get(intervention=verified)
    bill = selectors.bills_for([verified])[0]
    assert figures.lines == billing.figures(bill.lines)
    assert figures.total == billing.totals(bill.lines).total
    assert figures.by == admin


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.OPERATOR, Role.ADMINISTRATOR])
def test_expenses_and_parts_are_frozen_for_every_role(verified, tech, role):
    user = tech if role == Role.TECHNICIAN else make_user(None, role)
    expense = Expense.objects.filter(intervention=verified).first()
    part = PartUsed.objects.filter(intervention=verified).first()
    attempts = [
        lambda: actuals.add_expense(
            intervention=verified,
            acting_user=user,
            kind="other",
            date=DAY,
            amount=Decimal("9999"),
            receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n"),
        ),
        lambda: actuals.add_expense(
            intervention=verified,
            acting_user=user,
            kind="km",
            date=DAY,
            km=Decimal("5000"),
            km_rate=Decimal("10"),
        ),
        lambda: actuals.delete_expense(expense=expense, acting_user=user),
        lambda: actuals.add_part(
            intervention=verified, acting_user=user, spare_part=make_part(), quantity=Decimal(5)
        ),
        lambda: actuals.remove_part(part=part, acting_user=user),
    ]
    for attempt in attempts:
        with pytest.raises(CallError, match="verified: its hours, expenses and parts are frozen"):
            attempt()
    assert Expense.objects.filter(intervention=verified).count() == 2
    assert PartUsed.objects.filter(intervention=verified).count() == 1
    assert not access.may_record(verified, user)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.ADMINISTRATOR])
def test_hours_are_frozen_for_whoever_may_record_them(verified, tech, role):
    user = tech if role == Role.TECHNICIAN else make_user(None, role)
    entry = TimeEntry.objects.filter(intervention=verified).first()
    other_day = TimeEntry.objects.create(
        user=tech,
        date=DAY,
        hours=Decimal(1),
        kind=WorkKind.OTHER,
        description="office",
        created_by=tech,
    )
    attempts = [
        lambda: planner_services.record_time_entry(
            acting_user=user,
            user=tech,
            date=DAY,
            kind=WorkKind.LABOUR,
            hours=Decimal(21),
            intervention=verified,
        ),
        lambda: planner_services.update_time_entry(
            entry=entry,
            acting_user=user,
            version=entry.version,
            date=DAY,
            kind=WorkKind.LABOUR,
            hours=Decimal(21),
            intervention=verified,
        ),
        # Moving an entry of another day onto the verified intervention.
        lambda: planner_services.update_time_entry(
            entry=other_day,
            acting_user=user,
            version=other_day.version,
            date=DAY,
            kind=WorkKind.LABOUR,
            hours=Decimal(1),
            intervention=verified,
        ),
        # ...and off it.
        lambda: planner_services.update_time_entry(
            entry=entry,
            acting_user=user,
            version=entry.version,
            date=DAY,
            kind=WorkKind.OTHER,
            hours=entry.hours,
            description="moved away",
        ),
        lambda: planner_services.delete_time_entry(entry=entry, acting_user=user),
    ]
    for attempt in attempts:
        with pytest.raises(PlannerError, match="is verified: its hours are frozen"):
            attempt()
    assert sorted(
        TimeEntry.objects.filter(intervention=verified).values_list("hours", flat=True)
    ) == [
        Decimal("1.00"),
        Decimal("4.00"),
    ]


def test_no_correction_and_no_bare_state_change_after_verification(verified, admin):
    with pytest.raises(services.InvoicingError):
        services.add_correction(
            intervention=verified,
            kind=LineKind.EXPENSES,
            acting_user=admin,
            reason="more",
            quantity=Decimal(1),
            unit_price=Decimal(1),
        )
    # The map allows verified -> done only with a reason, and only to an administrator.
    with pytest.raises(CallError, match="reason"):
        call_services.transition(intervention=verified, to_state=State.DONE, acting_user=admin)
    with pytest.raises(CallError):
        call_services.transition(
            intervention=verified,
            to_state=State.DONE,
            acting_user=make_user(None, Role.OPERATOR),
            reason="x",
        )
    assert State.VERIFIED not in call_services.MANUAL_TARGETS  # set on the verification page


def test_reopen_is_for_administrators_with_a_reason(verified, admin, tech):
    for user, reason in ((tech, "x"), (make_user(None, Role.OPERATOR), "x"), (admin, "  ")):
        with pytest.raises(services.InvoicingError):
            services.reopen(intervention=verified, acting_user=user, reason=reason)
    services.reopen(intervention=verified, acting_user=admin, reason="Receipt missing")
    verified.refresh_from_db()
    assert verified.state == State.DONE
    assert not VerifiedFigures.objects.filter(intervention=verified).exists()
    with pytest.raises(services.InvoicingError, match="Only a verified"):
        services.reopen(intervention=verified, acting_user=admin, reason="again")
    # Still under the customer's signature: frozen until it is sent back to the technician.
    with pytest.raises(CallError, match="customer signed"):
        actuals.add_expense(
            intervention=verified, acting_user=tech, kind="meal", date=DAY, amount=Decimal("9")
        )
    services.send_back(intervention=verified, acting_user=admin, reason="Add the lunch")
    actuals.add_expense(
        intervention=verified, acting_user=tech, kind="meal", date=DAY, amount=Decimal("9")
    )


def test_an_invoiced_intervention_cannot_be_reopened(verified, admin):
    _issue(verified, admin)
    verified.refresh_from_db()
    with pytest.raises(services.InvoicingError):
        services.reopen(intervention=verified, acting_user=admin, reason="late")


def test_the_invoice_equals_the_verified_figures(verified, admin):
    figures = VerifiedFigures.objects.get(intervention=verified)
    invoice = _issue(verified, admin)
    assert (invoice.taxable, invoice.total) == (figures.taxable, figures.total)


@pytest.mark.parametrize(
    "change_behind_the_services",
    [
        # Rows changed without the services (a script, the database): caught at issuing.
        lambda i: TimeEntry.objects.filter(intervention=i).update(hours=Decimal(21)),
        lambda i: Expense.objects.filter(intervention=i, kind="km").update(km=Decimal(999)),
        lambda i: PartUsed.objects.filter(intervention=i).update(under_warranty=True),
        # The master data the bill depends on: a type made a warranty type in the admin...
        lambda i: InterventionType.objects.filter(pk=i.type_id).update(is_warranty=True),
        # ...or the quote's hourly rate.
        lambda i: i.quote.lines.filter(kind="labour_hour").update(unit_price=Decimal(500)),
    ],
)
def test_issuing_refuses_figures_that_changed_after_verification(
    verified, admin, change_behind_the_services
):
    change_behind_the_services(verified)
    draft = services.create_draft(calls=[verified.call], acting_user=admin)
    numbers = list(Counter.objects.values_list("series", "value"))
    with pytest.raises(services.InvoicingError, match="changed after verification") as refused:
        services.issue(invoice=draft, acting_user=admin)
    assert verified.code in refused.value.message
    assert list(Counter.objects.values_list("series", "value")) == numbers  # no number taken
    draft.refresh_from_db()
    assert draft.number is None
    assert Intervention.objects.get(pk=verified.pk).state == State.VERIFIED

    # The way out: reopen, verify again (what the administrator now sees), issue.
    services.discard_draft(invoice=draft, acting_user=admin)
    services.reopen(intervention=verified, acting_user=admin, reason="figures changed")
    services.verify(intervention=verified, acting_user=admin)
    figures = VerifiedFigures.objects.get(intervention=verified)
    invoice = _issue(verified, admin)
    assert invoice.total == figures.total


def test_an_intervention_verified_before_figures_were_recorded_is_billed_as_it_is(admin):
    """Upgrade path: verified rows without figures keep working (their actuals are frozen)."""
    intervention = make_done_intervention()
    Intervention.objects.filter(pk=intervention.pk).update(state=State.VERIFIED)
    intervention.call.status = State.VERIFIED
    intervention.call.save(update_fields=["status"])
    invoice = _issue(intervention, admin)
    bill = selectors.bills_for([intervention])[0]
    assert invoice.total == billing.totals(bill.lines).total


def _back_to_planned(intervention):
    """Actuals are recorded while planned (the signature freezes them): the visit's state."""
    Intervention.objects.filter(pk=intervention.pk).update(state=State.PLANNED)
    intervention.refresh_from_db()
    return intervention


def test_technician_rate_and_warranty_come_from_the_office(settings, tech):
    settings.KM_RATE = Decimal("0.30")
    intervention = _back_to_planned(
        make_done_intervention(technician=tech, unit=make_unit(warranty_end=None))
    )
    expense = actuals.add_expense(
        intervention=intervention,
        acting_user=tech,
        kind="km",
        date=DAY,
        km=Decimal(100),
        km_rate=Decimal(10),
    )
    assert (expense.km_rate, expense.amount) == (Decimal("0.30"), Decimal("30.00"))
    part = actuals.add_part(
        intervention=intervention,
        acting_user=tech,
        spare_part=make_part(),
        quantity=Decimal(1),
        under_warranty=True,
    )
    assert part.under_warranty is False
    covered = _back_to_planned(make_done_intervention(technician=tech))  # unit under warranty
    part = actuals.add_part(
        intervention=covered,
        acting_user=tech,
        spare_part=make_part(),
        quantity=Decimal(1),
        under_warranty=False,
    )
    assert part.under_warranty is True


def test_a_verified_interventions_quote_is_read_only(verified, admin):
    """Issue 19, locks: the quote is what is billed once its intervention is verified."""
    from quotes import services as quote_services
    from quotes.models import Quote, QuoteState
    from quotes.services import QuoteError

    Quote.objects.filter(pk=verified.quote_id).update(state=QuoteState.DRAFT)  # still a draft
    quote = Quote.objects.get(pk=verified.quote_id)
    with pytest.raises(QuoteError, match="is verified"):
        quote_services.update_quote_terms(
            quote=quote, acting_user=admin, notes="changed", vat_rate=quote.vat_rate
        )
    services.reopen(intervention=verified, acting_user=admin, reason="Quote to correct")
    quote.refresh_from_db()
    quote_services.update_quote_terms(
        quote=quote, acting_user=admin, notes="changed", vat_rate=quote.vat_rate
    )
