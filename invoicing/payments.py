"""Payment terms, due dates and payments of issued invoices (issue 18).

How much is still due is derived, never stored on the invoice (an issued invoice is never written
again): what the customer pays (``InvoicePaymentTerms.payable``: the total, less the VAT when a
public administration pays it to the State under split payment), less the payments recorded
(``Payment``), less the credit notes issued against the invoice (their payable amount). Credits
and payments settle the earliest instalments first, so an instalment is overdue when its date has
passed and the money received and credited so far does not cover it and the ones before it.

States of an issued invoice (credit notes have none: they reduce their invoice's balance):

- open: nothing paid, something due;
- partly paid: something paid, something still due;
- paid: nothing due any more (a payment brought the balance to zero);
- credited: nothing paid, the credit notes cover the whole amount.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import User
from events.outbox import emit
from invoicing import access
from invoicing.models import (
    Invoice,
    InvoiceDueDate,
    InvoiceKind,
    InvoicePaymentTerms,
    InvoiceState,
    Payment,
    PaymentSource,
)
from service_portal import company
from service_portal.errors import DomainError, RoleRefused
from service_portal.models import PaymentMethod, PaymentTerm
from service_portal.money import ZERO, money
from service_portal.payment_terms import due_dates


class PaymentError(DomainError):
    """A refused payment; the message is translated for the user."""


class PaymentRoleRefused(RoleRefused, PaymentError):
    """Not an administrator."""


class PaymentStatus:
    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    CREDITED = "credited"

    LABELS = {
        OPEN: pgettext_lazy("payment status", "Open"),
        PARTLY_PAID: gettext_lazy("Partly paid"),
        PAID: gettext_lazy("Paid"),
        CREDITED: gettext_lazy("Credited"),
    }


# --- Issue: freeze the term and the due dates -----------------------------------------------
def term_for(invoice: Invoice) -> PaymentTerm | None:
    """The customer's own term, else the company's default, else none (due on issue)."""
    if invoice.customer.payment_term_id:
        return invoice.customer.payment_term
    profile = company.current_from_database()
    if profile is not None and profile.default_payment_term_id:
        return profile.default_payment_term
    return None


def payable_of(invoice: Invoice) -> Decimal:
    """What the customer pays: under split payment the VAT goes to the State, not to us."""
    return money(invoice.total - (invoice.vat if invoice.split_payment else ZERO))


def freeze_terms(invoice: Invoice) -> None:
    """Called by ``services.issue`` once the invoice has its number and date: the term's name
    in the customer's language and the due dates, frozen with the invoice."""
    from django.utils import translation

    if invoice.issue_date is None:  # set by the issuing step before this call
        raise ValueError("freeze_terms needs the invoice's issue date")
    term = term_for(invoice)
    payable = payable_of(invoice)
    with translation.override(invoice.language or None):
        name = str(term.name) if term is not None else _("Immediate payment")
    InvoicePaymentTerms.objects.create(
        invoice=invoice,
        name=name[:100],
        method=term.method if term is not None else "",
        payable=payable,
    )
    days, end_of_month = (term.days, term.end_of_month) if term is not None else ("0", False)
    InvoiceDueDate.objects.bulk_create(
        InvoiceDueDate(invoice=invoice, position=position, due_date=date, amount=amount)
        for position, (date, amount) in enumerate(
            due_dates(invoice.issue_date, payable, days=days, end_of_month=end_of_month), start=1
        )
    )


# --- Balances, in SQL (lists) ---------------------------------------------------------------
AMOUNT = DecimalField(max_digits=14, decimal_places=2)


def _sum(queryset: QuerySet, field: str) -> Coalesce:
    total = queryset.order_by().values("invoice").annotate(s=Sum(field)).values("s")
    return Coalesce(Subquery(total, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)


def _payable_expression() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("total") - Case(When(split_payment=True, then=F("vat")), default=Value(ZERO)),
        output_field=AMOUNT,
    )


def with_balance(queryset: QuerySet[Invoice], today: datetime.date | None = None) -> QuerySet:
    """Invoices annotated with ``payable``, ``paid``, ``credited``, ``outstanding`` and
    ``overdue`` (what should have been paid by ``today`` and was not), in one query."""
    today = today or timezone.localdate()
    notes = (
        Invoice.objects.filter(
            credited=OuterRef("pk"), kind=InvoiceKind.CREDIT_NOTE, state=InvoiceState.ISSUED
        )
        .order_by()
        .values("credited")
        .annotate(s=Sum(_payable_expression()))
        .values("s")
    )
    return queryset.annotate(
        payable=_payable_expression(),
        paid=_sum(Payment.objects.filter(invoice=OuterRef("pk")), "amount"),
        credited_amount=-Coalesce(
            Subquery(notes, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT
        ),
        due_by_today=_sum(
            InvoiceDueDate.objects.filter(invoice=OuterRef("pk"), due_date__lt=today), "amount"
        ),
    ).annotate(
        outstanding=ExpressionWrapper(
            F("payable") - F("paid") - F("credited_amount"), output_field=AMOUNT
        ),
        overdue=Greatest(
            ExpressionWrapper(
                F("due_by_today") - F("paid") - F("credited_amount"), output_field=AMOUNT
            ),
            Value(ZERO),
            output_field=AMOUNT,
        ),
    )


def issued_invoices() -> QuerySet[Invoice]:
    return Invoice.objects.filter(kind=InvoiceKind.INVOICE, state=InvoiceState.ISSUED)


def open_items(today: datetime.date | None = None) -> QuerySet[Invoice]:
    """Issued invoices with something still to collect, one customer's together, oldest first."""
    return (
        with_balance(issued_invoices(), today)
        .filter(outstanding__gt=0)
        .select_related("customer", "payment_terms")
        .prefetch_related("due_dates")
        .order_by("customer__name", "customer_id", "issue_date", "pk")
    )


def overdue_total(today: datetime.date | None = None) -> Decimal:
    """The dashboard's figure: everything overdue today, all customers (one query)."""
    rows = with_balance(issued_invoices(), today).filter(overdue__gt=0)
    return money(rows.aggregate(total=Sum("overdue"))["total"] or ZERO)


def status_of(*, payable: Decimal, paid: Decimal, credited: Decimal) -> str:
    if payable - paid - credited > 0:
        return PaymentStatus.PARTLY_PAID if paid > 0 else PaymentStatus.OPEN
    return PaymentStatus.PAID if paid > 0 else PaymentStatus.CREDITED


class Balance:
    """One invoice's balance, for its page and PDF (a few small queries)."""

    def __init__(self, invoice: Invoice, today: datetime.date | None = None) -> None:
        row = with_balance(Invoice.objects.filter(pk=invoice.pk), today).values(
            "payable", "paid", "credited_amount", "outstanding", "overdue"
        )[0]
        self.payable = money(row["payable"])
        self.paid = money(row["paid"])
        self.credited = money(row["credited_amount"])
        self.outstanding = money(row["outstanding"])
        self.overdue = money(row["overdue"])
        self.status = status_of(payable=self.payable, paid=self.paid, credited=self.credited)
        self.status_label = PaymentStatus.LABELS[self.status]


# --- Recording a payment --------------------------------------------------------------------
def _check(invoice: Invoice, *, date: datetime.date, amount: Decimal, method: str) -> None:
    if invoice.kind != InvoiceKind.INVOICE or invoice.state != InvoiceState.ISSUED:
        raise PaymentError(_("Payments are recorded against issued invoices only."))
    if amount is None or amount <= 0:
        raise PaymentError(_("The amount must be more than zero."), field="amount")
    if method not in PaymentMethod.values:
        raise PaymentError(_("Choose a payment method."), field="method")
    if date > timezone.localdate():
        raise PaymentError(_("A payment cannot be dated in the future."), field="date")
    outstanding = Balance(invoice).outstanding
    if money(amount) > outstanding:
        raise PaymentError(
            _(
                "The payment (%(amount)s) exceeds what is still due on invoice %(code)s "
                "(%(due)s): nothing was recorded."
            )
            % {"amount": money(amount), "code": invoice.code, "due": outstanding},
            field="amount",
        )


@transaction.atomic
def record_payment(
    *,
    invoice: Invoice,
    date: datetime.date,
    amount: Decimal,
    method: str,
    reference: str = "",
    acting_user: User | None = None,
    external_code: str | None = None,
) -> Payment:
    """Record money received. An administrator on the portal (``acting_user``) or the ERP
    through the API (``external_code``, its id of the payment). The invoice row is locked (and
    not written) so two payments at once cannot both pass the overpayment check."""
    if external_code is None and not access.may_invoice(acting_user):
        raise PaymentRoleRefused(_("Only administrators may record payments."))
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check(locked, date=date, amount=amount, method=method)
    payment = Payment.objects.create(
        invoice=locked,
        date=date,
        amount=money(amount),
        method=method,
        reference=reference.strip()[:140],
        source=PaymentSource.API if external_code else PaymentSource.PORTAL,
        external_code=external_code,
        recorded_by=acting_user if external_code is None else None,
    )
    emit(
        "invoice.paid",
        locked,
        {
            "invoice": {"id": locked.pk, "number": locked.code, "total": locked.total},
            "payment": {
                "id": payment.pk,
                "date": payment.date,
                "amount": payment.amount,
                "method": payment.method,
                "external_code": payment.external_code,
                "source": payment.source,
            },
        },
    )
    return payment


def matches(
    payment: Payment,
    *,
    invoice: Invoice,
    date: datetime.date,
    amount: Decimal,
    method: str,
    reference: str,
) -> bool:
    """A repeated API request: the same payment, or a different one under a used code."""
    return (
        payment.invoice_id == invoice.pk
        and payment.date == date
        and payment.amount == money(amount)
        and payment.method == method
        and payment.reference == (reference or "").strip()[:140]
    )
