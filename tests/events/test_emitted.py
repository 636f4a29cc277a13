"""The services that change invoices, calls and interventions write their events (the outbox)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from events.models import Event
from invoicing import credits, payments, services
from service_portal.models import PaymentMethod
from tests.factories import make_user
from tests.invoicing.factories import make_verified_call


def test_issue_credit_and_payment_write_their_events_in_order(db):
    admin = make_user("boss", Role.ADMINISTRATOR)
    call = make_verified_call()
    Event.objects.all().delete()  # the call's own history is not what this test reads
    draft = services.create_draft(calls=[call], acting_user=admin)
    invoice = services.issue(invoice=draft, acting_user=admin)
    types = list(Event.objects.values_list("event_type", "record_type"))
    assert ("intervention.state_changed", "intervention") in types
    assert ("call.state_changed", "call") in types
    assert types[-1] == ("invoice.issued", "invoice")
    issued = Event.objects.get(event_type="invoice.issued")
    assert issued.payload["invoice"]["number"] == invoice.code
    assert issued.payload["invoice"]["total"] == str(invoice.total)
    changed = Event.objects.filter(event_type="intervention.state_changed").last()
    assert changed.payload["intervention"]["to"] == "invoiced"

    payments.record_payment(
        invoice=invoice,
        date=timezone.localdate(),
        amount=Decimal("1.00"),
        method=PaymentMethod.BANK_TRANSFER,
        acting_user=admin,
    )
    paid = Event.objects.get(event_type="invoice.paid")
    assert paid.record_id == str(invoice.pk) and paid.payload["payment"]["amount"] == "1.00"

    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="wrong hours")
    credited = Event.objects.get(event_type="invoice.credited")
    assert credited.record_id == str(note.pk)
    assert credited.payload["invoice"]["credited"] == invoice.code
