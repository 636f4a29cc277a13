"""Verification, drafts, issuance, frozen invoices and credit notes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from pypdf import PdfReader

from accounts.models import Role
from calls.models import Call, Intervention, InterventionTransition, State
from invoicing import credits, services
from invoicing.models import (
    Correction,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceState,
    IssuedInvoiceError,
)
from service_portal.models import Counter
from tests.calls.factories import make_call
from tests.factories import make_unit, make_user
from tests.invoicing.factories import make_done_intervention, make_verified_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


def _two_calls_of_one_customer():
    first = make_verified_call()
    unit = make_unit(first.site)
    second = make_verified_call(call=make_call(unit=unit))
    return first, second


def test_verify_moves_done_to_verified(admin):
    intervention = make_done_intervention()
    services.verify(intervention=intervention, acting_user=admin)
    intervention.refresh_from_db()
    assert intervention.state == State.VERIFIED
    assert intervention.transitions.last().by == admin


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.TECHNICIAN])
def test_only_administrators_verify(role):
    intervention = make_done_intervention()
    with pytest.raises(services.InvoicingError):
        services.verify(intervention=intervention, acting_user=make_user(None, role))
    with pytest.raises(services.InvoicingError):
        services.add_correction(
            intervention=intervention,
            line="labour:normal",
            quantity=Decimal(1),
            reason="x",
            acting_user=make_user(None, role),
        )


def test_a_correction_needs_a_reason(admin):
    intervention = make_done_intervention()
    with pytest.raises(services.InvoicingError, match="reason"):
        services.add_correction(
            intervention=intervention,
            line="labour:normal",
            quantity=Decimal(1),
            reason=" ",
            acting_user=admin,
        )
    assert not Correction.objects.exists()


def test_send_back_needs_a_reason_and_mails_the_technician(
    admin, django_capture_on_commit_callbacks
):
    tech = make_user("mario", Role.TECHNICIAN, language="it", email="mario@example.com")
    intervention = make_done_intervention(technician=tech)
    with pytest.raises(services.InvoicingError):
        services.send_back(intervention=intervention, acting_user=admin, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_back(intervention=intervention, acting_user=admin, reason="Missing report")
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED
    assert intervention.transitions.last().reason == "Missing report"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mario@example.com"]
    assert "rimandato" in mail.outbox[0].subject  # the technician's language
    assert "Missing report" in mail.outbox[0].body


def test_draft_refuses_calls_of_different_customers(admin):
    with pytest.raises(services.InvoicingError, match="different customers"):
        services.create_draft(calls=[make_verified_call(), make_verified_call()], acting_user=admin)
    assert not Invoice.objects.exists()


def test_draft_refuses_calls_not_verified(admin):
    call = make_done_intervention().call
    with pytest.raises(services.InvoicingError, match="not verified"):
        services.create_draft(calls=[call], acting_user=admin)


def test_issue_numbers_freezes_and_invoices(admin, django_capture_on_commit_callbacks):
    first, second = _two_calls_of_one_customer()
    customer = first.customer
    customer.email = "accounts@customer.example"
    customer.language = "it"
    customer.save()
    draft = services.create_draft(calls=[first, second], acting_user=admin)
    assert draft.number is None
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.issue(invoice=draft, acting_user=admin)
    assert invoice.code.endswith("/0001")
    assert invoice.state == InvoiceState.ISSUED
    assert invoice.customer_name == customer.name
    assert invoice.language == "it"
    assert invoice.taxable == Decimal("845.40")  # two interventions of 422.70
    assert invoice.vat == Decimal("180.06")  # 22 % of 796.00 + 10 % of 49.40
    assert invoice.total == Decimal("1025.46")
    assert invoice.lines.count() == 10  # labour, travel, call-out, km, part (the meal: none)
    assert set(invoice.lines.values_list("call_code", flat=True)) == {first.code, second.code}
    assert set(Intervention.objects.values_list("state", flat=True)) == {State.INVOICED}
    assert set(Call.objects.values_list("status", flat=True)) == {State.INVOICED}
    # the customer's data is frozen: later changes do not touch the invoice
    customer.name = "Renamed Ltd"
    customer.save()
    invoice.refresh_from_db()
    assert invoice.customer_name != "Renamed Ltd"
    # e-mailed after commit, with the PDF in Italian
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["accounts@customer.example"]
    assert "Fattura" in message.subject
    name, content, mime = message.attachments[0]
    assert mime == "application/pdf"
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert invoice.code in text
    assert "Totale" in text
    assert "1.025,46\xa0€" in text  # Italian: grouped thousands, decimal comma, euro after


def test_failed_issuance_consumes_no_number_and_leaves_no_invoice(admin):
    first, second = _two_calls_of_one_customer()
    draft = services.create_draft(calls=[first, second], acting_user=admin)
    # meanwhile an intervention is no longer verified
    Intervention.objects.filter(call=second).update(state=State.DONE)
    with pytest.raises(services.InvoicingError, match="no longer verified"):
        services.issue(invoice=draft, acting_user=admin)
    draft.refresh_from_db()
    assert draft.state == InvoiceState.DRAFT and draft.number is None
    assert not InvoiceLine.objects.exists()
    assert not Counter.objects.filter(series="invoice", value__gt=0).exists()
    assert Intervention.objects.get(call=first).state == State.VERIFIED
    # put it right: the next issuance takes number 1
    Intervention.objects.filter(call=second).update(state=State.VERIFIED)
    assert services.issue(invoice=draft, acting_user=admin).code.endswith("/0001")


def test_numbers_follow_each_other(admin):
    codes = []
    for _ in range(3):
        draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
        codes.append(services.issue(invoice=draft, acting_user=admin).number)
    assert codes == [1, 2, 3]


def test_issued_invoices_refuse_edits_and_deletion(admin):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    invoice = services.issue(invoice=draft, acting_user=admin)
    with pytest.raises(services.InvoicingError):
        services.issue(invoice=invoice, acting_user=admin)
    with pytest.raises(services.InvoicingError):
        services.discard_draft(invoice=invoice, acting_user=admin)
    invoice.customer_name = "Changed"
    with pytest.raises(IssuedInvoiceError):
        invoice.save()
    with pytest.raises(IssuedInvoiceError):
        invoice.delete()
    assert Invoice.objects.get(pk=invoice.pk).customer_name != "Changed"


def test_invoiced_interventions_refuse_changes(admin):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    services.issue(invoice=draft, acting_user=admin)
    intervention = Intervention.objects.get()
    with pytest.raises(services.InvoicingError):
        services.add_correction(
            intervention=intervention,
            line="labour:normal",
            quantity=Decimal(1),
            reason="late",
            acting_user=admin,
        )
    from calls import services as call_services

    with pytest.raises(call_services.CallError):
        call_services.transition(
            intervention=intervention, to_state=State.PLANNED, acting_user=admin, reason="x"
        )
    with pytest.raises(call_services.CallError):
        call_services.fill_intervention_section(
            intervention=intervention,
            acting_user=admin,
            version=None,
            type=intervention.type,
            requested_date=intervention.requested_date,
        )
    with pytest.raises(call_services.CallError):
        call_services.add_note(
            intervention=intervention, acting_user=admin, kind="internal", text="late"
        )
    from planner import services as planner_services

    with pytest.raises(planner_services.PlannerError, match="invoiced"):
        planner_services.record_time_entry(
            acting_user=admin,
            user=intervention.technician,
            date=intervention.requested_date,
            kind="labour",
            hours=Decimal("1"),
            intervention=intervention,
        )


def test_discarding_a_draft_frees_the_calls(admin):
    call = make_verified_call()
    draft = services.create_draft(calls=[call], acting_user=admin)
    with pytest.raises(services.InvoicingError, match="another draft"):
        services.create_draft(calls=[call], acting_user=admin)
    services.discard_draft(invoice=draft, acting_user=admin)
    assert not Invoice.objects.exists()
    assert services.create_draft(calls=[call], acting_user=admin).pk


def test_credit_note_references_and_negates_the_invoice(admin):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    invoice = services.issue(invoice=draft, acting_user=admin)
    with pytest.raises(services.InvoicingError, match="reason"):
        credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="")
    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Wrong rate")
    assert note.kind == InvoiceKind.CREDIT_NOTE
    assert note.credited == invoice
    assert note.code.startswith("NC ") and note.code.endswith("/0001")
    assert note.total == -invoice.total
    assert sum(line.amount for line in note.lines.all()) == -invoice.taxable
    with pytest.raises(services.InvoicingError, match="already been credited"):
        credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="again")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ISSUED  # the original stays as it was


def test_issuance_records_the_transition(admin):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    services.issue(invoice=draft, acting_user=admin)
    assert InterventionTransition.objects.filter(to_state=State.INVOICED, by=admin).count() == 1


def _history(invoice):
    return list(invoice.history.values_list("from_state", "to_state", "by", "reason"))


def test_issuing_an_invoice_leaves_its_history(admin):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    assert _history(draft) == []  # a draft has no state change yet
    invoice = services.issue(invoice=draft, acting_user=admin)
    assert _history(invoice) == [(InvoiceState.DRAFT, InvoiceState.ISSUED, admin.pk, "")]
    change = invoice.history.get()
    assert change.at is not None and change.at >= invoice.issued_at


def test_a_refused_issuance_leaves_no_history(admin):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    invoice = services.issue(invoice=draft, acting_user=admin)
    with pytest.raises(services.InvoicingError, match="already been issued"):
        services.issue(invoice=invoice, acting_user=admin)
    assert invoice.history.count() == 1
    operator = make_user(role=Role.OPERATOR)
    other = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    with pytest.raises(services.InvoicingError):
        services.issue(invoice=other, acting_user=operator)
    assert other.history.count() == 0


def test_crediting_an_invoice_leaves_history_on_both_documents(admin):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    invoice = services.issue(invoice=draft, acting_user=admin)
    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Wrong rate")
    assert _history(note) == [(InvoiceState.DRAFT, InvoiceState.ISSUED, admin.pk, "Wrong rate")]
    assert _history(invoice) == [
        (InvoiceState.DRAFT, InvoiceState.ISSUED, admin.pk, ""),
        (InvoiceState.ISSUED, InvoiceState.ISSUED, admin.pk, f"{note.code}: Wrong rate"),
    ]
    # A refused second credit note writes nothing.
    with pytest.raises(services.InvoicingError, match="already been credited"):
        credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="again")
    assert invoice.history.count() == 2
