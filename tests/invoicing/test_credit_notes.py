"""Credit notes for chosen lines and amounts, never beyond a line, and re-billing (issue 19)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from calls.models import InterventionTransition, State
from invoicing import credits, services
from invoicing.models import Invoice, InvoiceKind, LineKind
from tests.factories import make_user
from tests.invoicing.factories import make_done_intervention

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


def _issued(admin, count: int = 1) -> Invoice:
    """An issued invoice of ``count`` verified interventions of one call each, one customer."""
    first = make_done_intervention()
    interventions = [first]
    from tests.calls.factories import make_call
    from tests.factories import make_unit

    for _ in range(count - 1):
        interventions.append(
            make_done_intervention(call=make_call(unit=make_unit(first.call.site)))
        )
    for intervention in interventions:
        services.verify(intervention=intervention, acting_user=admin)
    draft = services.create_draft(calls=[i.call for i in interventions], acting_user=admin)
    return services.issue(invoice=draft, acting_user=admin)


def test_a_partial_credit_note_credits_the_amounts_typed(admin):
    invoice = _issued(admin)
    lines = list(invoice.lines.order_by("position"))
    labour = next(line for line in lines if line.kind == LineKind.LABOUR)
    parts = next(line for line in lines if line.kind == LineKind.PARTS)
    # labour 4 h x 55.00 = 220.00 at 22 %; parts 2 x 12.35 = 24.70 at 10 %
    assert (labour.amount, parts.amount) == (Decimal("220.00"), Decimal("24.70"))
    note = credits.issue_credit_note(
        invoice=invoice,
        acting_user=admin,
        reason="One hour too many; parts in full",
        amounts={labour.pk: Decimal("55.00"), parts.pk: Decimal("24.70")},
        rebill=False,
    )
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.credited == invoice
    assert note.code.startswith("NC ") and note.number == 1
    # hand-worked: 55.00 at 22 % -> VAT 12.10; 24.70 at 10 % -> VAT 2.47
    assert note.taxable == Decimal("-79.70")
    assert note.vat == Decimal("-14.57")
    assert note.total == Decimal("-94.27")
    credit_lines = {line.credited_line_id: line for line in note.lines.all()}
    assert credit_lines[labour.pk].amount == Decimal("-55.00")
    assert (credit_lines[labour.pk].quantity, credit_lines[labour.pk].unit_price) == (
        Decimal(1),
        Decimal("55.00"),
    )
    # the whole line is a copy of it
    assert credit_lines[parts.pk].quantity == parts.quantity
    # without re-billing the interventions stay invoiced
    assert invoice.interventions.get().state == State.INVOICED


def test_a_line_is_never_credited_beyond_its_amount(admin):
    invoice = _issued(admin)
    labour = invoice.lines.get(kind=LineKind.LABOUR)
    credits.issue_credit_note(
        invoice=invoice,
        acting_user=admin,
        reason="Goodwill",
        amounts={labour.pk: Decimal("200.00")},
        rebill=False,
    )
    with pytest.raises(services.InvoicingError, match="at most 20.00 can still be credited"):
        credits.issue_credit_note(
            invoice=invoice,
            acting_user=admin,
            reason="Again",
            amounts={labour.pk: Decimal("20.01")},
            rebill=False,
        )
    credits.issue_credit_note(
        invoice=invoice,
        acting_user=admin,
        reason="The rest",
        amounts={labour.pk: Decimal("20.00")},
        rebill=False,
    )
    # what is left of the invoice, then nothing
    whole = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="All the rest")
    assert labour.pk not in set(whole.lines.values_list("credited_line", flat=True))
    assert (
        sum((n.total for n in Invoice.objects.filter(credited=invoice)), start=Decimal(0))
        == -invoice.total
    )
    with pytest.raises(services.InvoicingError, match="already been credited"):
        credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Once more")
    # gapless credit-note series: 1, 2, 3
    numbers = Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).values_list("number", flat=True)
    assert sorted(numbers) == [1, 2, 3]


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "more than zero"), ("-5", "more than zero"), ("99999", "can still be credited")],
)
def test_a_wrong_amount_is_refused_and_nothing_is_numbered(admin, amount, message):
    invoice = _issued(admin)
    line = invoice.lines.first()
    with pytest.raises(services.InvoicingError, match=message):
        credits.issue_credit_note(
            invoice=invoice, acting_user=admin, reason="x", amounts={line.pk: Decimal(amount)}
        )
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()


def test_a_line_of_another_invoice_is_refused(admin):
    invoice, other = _issued(admin), _issued(admin)
    with pytest.raises(services.InvoicingError, match="not a line of this invoice"):
        credits.issue_credit_note(
            invoice=invoice,
            acting_user=admin,
            reason="x",
            amounts={other.lines.first().pk: Decimal("1")},
        )


def test_a_credited_call_is_verified_again_and_invoiced_on_a_new_invoice(admin):
    invoice = _issued(admin, count=2)
    first, second = invoice.interventions.order_by("call_id")
    labour = invoice.lines.get(kind=LineKind.LABOUR, intervention_code=first.code)
    credits.issue_credit_note(
        invoice=invoice,
        acting_user=admin,
        reason="Wrong hours",
        amounts={labour.pk: labour.amount},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.VERIFIED, State.INVOICED)
    change = InterventionTransition.objects.filter(intervention=first).latest("pk")
    assert (change.from_state, change.to_state) == (State.INVOICED, State.VERIFIED)
    assert "Wrong hours" in change.reason and "NC " in change.reason
    # corrected (reopened, verified again) and invoiced on a new invoice, next number
    services.reopen(intervention=first, acting_user=admin, reason="Fix the hours")
    services.verify(intervention=first, acting_user=admin)
    again = services.issue(
        invoice=services.create_draft(calls=[first.call], acting_user=admin), acting_user=admin
    )
    assert (invoice.number, again.number) == (1, 2)
    first.refresh_from_db()
    assert first.state == State.INVOICED
    # crediting the old invoice again does not take the call off the new one
    credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Cancel the rest")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.INVOICED, State.VERIFIED)


def test_the_credit_form_keeps_the_amounts_when_refused(admin_client_, admin):
    invoice = _issued(admin)
    line = invoice.lines.get(kind=LineKind.LABOUR)
    url = reverse("invoicing:credit_note", args=[invoice.pk])
    token = str(uuid.uuid4())
    data = {"reason": "Too much", "scope": "lines", "submission_token": token}
    response = admin_client_.post(url, {**data, f"amount_{line.pk}": "999"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "can still be credited" in page and 'value="999"' in page
    # the refusal freed the token: the corrected form is issued once, even sent twice
    data.update({f"amount_{line.pk}": "20", "rebill": "on"})
    response = admin_client_.post(url, data)
    again = admin_client_.post(url, data)
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert response["Location"] == note.get_absolute_url()
    assert again["Location"] == invoice.get_absolute_url()
    assert note.total == Decimal("-24.40")  # 20.00 + 22 %
    assert invoice.interventions.get().state == State.VERIFIED
    detail = admin_client_.get(invoice.get_absolute_url()).content.decode()
    assert "200.00" in detail  # what is left of the labour line


def test_operators_cannot_credit(admin):
    invoice = _issued(admin)
    with pytest.raises(services.InvoicingError):
        credits.issue_credit_note(
            invoice=invoice, acting_user=make_user(None, Role.OPERATOR), reason="x"
        )


def test_a_credit_form_without_its_token_issues_nothing(admin_client_, admin):
    invoice = _issued(admin)
    url = reverse("invoicing:credit_note", args=[invoice.pk])
    response = admin_client_.post(url, {"reason": "No token", "scope": "whole"})
    assert response.status_code == 200
    assert "could not be checked against double sending" in response.content.decode()
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()
