"""Demo invoicing: the calls demo's verified call is invoiced, one of its done ones is verified;
payment terms, a partial payment and an overdue invoice fill the open items.

It works on the calls the calls demo made and the planner demo visited (no new calls, quotes or
actuals: the visits' hours, kilometres and parts are billed), verifies the older *done*
intervention (the other stays in the verification queue), and issues one invoice for the call
that was already *verified*, which leaves a verified call waiting on the "calls to
invoice" page. Idempotent: nothing is added when an invoice already exists. ``--scale`` adds no
volume (invoices are few compared with calls).

Payments (issue 18): the usual payment terms are master data, the company's default is
"30 days end of month". So that the open items page and the dashboard's overdue figure have
something to show on the day the demo is made, the oldest demo invoice is dated back as if it
had been issued two and a half months ago (its frozen due dates recomputed the same way), and
part of an invoice is paid. Only the demo does this; the portal itself never moves an issued
invoice's date. Idempotent: nothing is added when a payment already exists.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from calls.models import Intervention, State
from invoicing import payments, services
from invoicing.models import Invoice, InvoiceDueDate, InvoiceKind, InvoiceState, Payment
from service_portal import company
from service_portal.i18n import translations
from service_portal.models import PaymentMethod, PaymentTerm
from service_portal.payment_terms import due_dates

TERMS = [
    # (days, end of month, method, names per language)
    ("0", False, PaymentMethod.BANK_TRANSFER, {
        "it": "Rimessa diretta", "en": "Immediate payment", "de": "Sofort zahlbar",
        "fr": "Paiement immédiat", "es": "Pago inmediato",
    }),
    ("30", True, PaymentMethod.BANK_TRANSFER, {
        "it": "Bonifico 30 gg fine mese", "en": "Bank transfer, 30 days end of month",
        "de": "Überweisung, 30 Tage Monatsende", "fr": "Virement, 30 jours fin de mois",
        "es": "Transferencia, 30 días fin de mes",
    }),
    ("60", True, PaymentMethod.BANK_TRANSFER, {
        "it": "Bonifico 60 gg fine mese", "en": "Bank transfer, 60 days end of month",
        "de": "Überweisung, 60 Tage Monatsende", "fr": "Virement, 60 jours fin de mois",
        "es": "Transferencia, 60 días fin de mes",
    }),
    ("90", True, PaymentMethod.BANK_TRANSFER, {
        "it": "Bonifico 90 gg fine mese", "en": "Bank transfer, 90 days end of month",
        "de": "Überweisung, 90 Tage Monatsende", "fr": "Virement, 90 jours fin de mois",
        "es": "Transferencia, 90 días fin de mes",
    }),
    ("30,60", True, PaymentMethod.RIBA, {
        "it": "RiBa 30-60 gg fine mese", "en": "RiBa, 30-60 days end of month",
        "de": "RiBa, 30-60 Tage Monatsende", "fr": "RiBa, 30-60 jours fin de mois",
        "es": "RiBa, 30-60 días fin de mes",
    }),
]  # fmt: skip
DEFAULT_DAYS = "30"


def _payment_terms() -> None:
    if not PaymentTerm.objects.exists():
        for days, end_of_month, method, names in TERMS:
            PaymentTerm.objects.create(
                days=days,
                end_of_month=end_of_month,
                method=method,
                **translations("name", names),
            )
    profile = company.current_from_database()
    if profile is not None and profile.default_payment_term_id is None:
        profile.default_payment_term = PaymentTerm.objects.filter(
            days=DEFAULT_DAYS, end_of_month=True
        ).first()
        profile.save()


def _date_back(invoice: Invoice, days: int) -> None:
    """The demo's history: the invoice as if issued ``days`` ago (never before the 1st of
    January of its number's year), due dates to match."""
    today = timezone.localdate()
    issued = max(today - datetime.timedelta(days=days), datetime.date(today.year, 1, 1))
    Invoice.objects.filter(pk=invoice.pk).update(issue_date=issued)
    rows = list(invoice.due_dates.order_by("position"))
    term = payments.term_for(invoice)
    if term is None or not rows:
        return
    amount = sum((row.amount for row in rows), Decimal(0))
    fresh = due_dates(issued, amount, days=term.days, end_of_month=term.end_of_month)
    if len(fresh) == len(rows):
        for row, (date, part) in zip(rows, fresh, strict=True):
            InvoiceDueDate.objects.filter(pk=row.pk).update(due_date=date, amount=part)


def _payments(admin: User) -> None:
    if Payment.objects.exists():
        return
    invoices = list(
        Invoice.objects.filter(
            kind=InvoiceKind.INVOICE, state=InvoiceState.ISSUED, credit_notes__isnull=True
        )
        .select_related("customer__payment_term")
        .order_by("pk")
    )
    if not invoices:
        return
    overdue = invoices[0]
    _date_back(overdue, 75)
    partly = invoices[1] if len(invoices) > 1 else overdue
    partly.refresh_from_db()
    payments.record_payment(
        invoice=partly,
        date=max(partly.issue_date, timezone.localdate() - datetime.timedelta(days=20)),
        amount=(payments.payable_of(partly) * Decimal("0.4")).quantize(Decimal("0.01")),
        method=PaymentMethod.BANK_TRANSFER,
        reference="CRO 0000451278",
        acting_user=admin,
    )


def seed(*, scale: int, progress) -> None:
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if admin is None:
        progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
        return
    with transaction.atomic():
        _payment_terms()
    if not Invoice.objects.exists():
        demo = Intervention.objects.exclude(call__description__startswith="Generated")
        verified = demo.filter(state=State.VERIFIED).order_by("pk").first()
        done = list(demo.filter(state=State.DONE).order_by("requested_date", "pk"))
        with transaction.atomic():
            if len(done) > 1:  # keep one in the verification queue
                services.verify(intervention=done[0], acting_user=admin)
            if verified is not None:
                draft = services.create_draft(calls=[verified.call], acting_user=admin)
                services.issue(invoice=draft, acting_user=admin)
    with transaction.atomic():
        _payments(admin)
    progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
