"""Reads of final verification and invoicing, with the prefetching that keeps query counts fixed."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.models import User
from calls.models import Call, Expense, ExpenseKind, Intervention, InterventionNote, State
from invoicing import billing, vat
from invoicing.models import Invoice, InvoiceState, Payment, VerifiedFigures
from quotes.models import PriceList
from service_portal.models import PaymentMethod


def with_billing_data(queryset: QuerySet[Intervention]) -> QuerySet[Intervention]:
    """Everything ``billing.bill`` reads, in a fixed number of queries (the company default
    list is read once by ``with_default_list``)."""
    return queryset.select_related(
        "type__price_list",
        "quote",
        "technician",
        "call__customer",
        "call__site",
        "call__unit__product",
        "call__contract",
    ).prefetch_related(
        "quote__lines",
        "time_entries",
        "expenses",
        "parts_used",
        "billing_corrections",
        "type__price_list__rates",
        Prefetch(
            "call__customer__price_lists",
            queryset=PriceList.objects.filter(active=True, is_warranty=False).prefetch_related(
                "rates"
            ),
        ),
        Prefetch(
            "call__contract__price_lists",
            queryset=PriceList.objects.filter(active=True, is_warranty=False).prefetch_related(
                "rates"
            ),
        ),
    )


def with_default_list(interventions: list[Intervention]) -> list[Intervention]:
    """Hand every intervention the company default price list, read once (two queries)."""
    default = billing.default_price_list()
    for intervention in interventions:
        intervention.default_price_list = default  # type: ignore[attr-defined]
    return interventions


def verification_queue() -> QuerySet[Intervention]:
    return (
        Intervention.objects.filter(state=State.DONE)
        .select_related("type", "technician", "call__customer")
        .order_by("state_changed_at", "pk")
    )


def verification_detail(pk: int) -> Intervention:
    """One intervention with its actuals, notes and corrections (any state, for the record)."""
    queryset = with_billing_data(Intervention.objects.filter(pk=pk)).prefetch_related(
        Prefetch(
            "notes",
            queryset=InterventionNote.objects.select_related("author"),
        ),
        "billing_corrections__by",
        "time_entries__user",
    )
    return with_default_list([queryset.get()])[0]


def verified_figures(intervention: Intervention) -> VerifiedFigures | None:
    """The figures final verification approved (None before it, and after reopening)."""
    return VerifiedFigures.objects.filter(intervention=intervention).first()


def bills_for(interventions: Iterable[Intervention]) -> list[billing.InterventionBill]:
    pks = [i.pk for i in interventions]
    fetched = with_billing_data(Intervention.objects.filter(pk__in=pks)).order_by(
        "call__code", "number"
    )
    codes = vat.Codes()
    return [billing.bill(i, codes) for i in with_default_list(list(fetched))]


# The states of a billed intervention that is not finished yet: its call cannot be invoiced.
UNFINISHED_STATES = [
    s for s in State.values if s not in {*billing.NOT_BILLED_STATES, State.VERIFIED, State.INVOICED}
]


def billable_calls() -> QuerySet[Call]:
    """Calls ready to invoice, one customer's calls together (customer name, then oldest first).

    A call qualifies when it has a verified intervention, all its billed interventions are
    verified or invoiced, and it is on no draft invoice (``services.call_is_billable``, in SQL:
    the list is paginated, so the rule runs in the database). The work grows with the verified
    interventions waiting (found through ``intervention_state_idx``; the other checks use the
    foreign-key indexes), not with the calls on file.
    """
    return _billable_calls().all()  # a copy: the rule is built once a process


@functools.cache
def _billable_calls() -> QuerySet[Call]:
    """The query of ``billable_calls``, never evaluated itself: its three subqueries took about
    5 % of the calls-to-invoice page to build on every request (resolving their outer
    references), as a class-level ``queryset`` of a Django view it is copied instead."""
    interventions = Intervention.objects.filter(call=OuterRef("pk"))
    on_draft = Invoice.calls.through.objects.filter(
        call=OuterRef("pk"), invoice__state=InvoiceState.DRAFT
    )
    return (
        Call.objects.filter(Exists(interventions.filter(state=State.VERIFIED)))
        .exclude(Exists(interventions.filter(state__in=UNFINISHED_STATES)))
        .exclude(Exists(on_draft))
        .select_related("customer", "unit__product")
        .order_by("customer__name", "customer_id", "received_at", "pk")
    )


def by_customer(calls: Iterable[Call]) -> list[tuple]:
    """[(customer, [call, ...]), ...] for calls ordered by customer (``billable_calls``)."""
    return [(customer, list(group)) for customer, group in groupby(calls, lambda c: c.customer)]


def invoices() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("customer", "credited").order_by(
        "-issue_date", "-year", "-number", "-pk"
    )


def invoice_detail(pk: int) -> Invoice:
    return (
        Invoice.objects.select_related(
            "customer", "credited", "issued_by", "created_by", "payment_terms"
        )
        .prefetch_related("lines", "calls", "credit_notes", "due_dates")
        .get(pk=pk)
    )


def invoice_document(pk: int) -> Invoice:
    """The invoice as its PDF prints it: the invoice with its customer (for the language) and
    the invoice it cancels and its payment term, then its lines and due dates; three queries."""
    return (
        Invoice.objects.select_related("customer", "credited", "payment_terms")
        .prefetch_related("lines", "due_dates")
        .get(pk=pk)
    )


def fatturapa_document(pk: int) -> Invoice:
    """The invoice as its FatturaPA file reads it: with the invoice it credits, then its lines
    and the credited invoice's lines; three queries."""
    return (
        Invoice.objects.select_related("credited")
        .prefetch_related("lines", "credited__lines")
        .get(pk=pk)
    )


def draft_bills(invoice: Invoice) -> list[billing.InterventionBill]:
    return bills_for(invoice.interventions.all())


def payments_of(invoice: Invoice) -> list[Payment]:
    return list(invoice.payments.select_related("recorded_by").order_by("date", "pk"))


def method_of(invoice: Invoice) -> str:
    """The method the invoice's term names, the form's first guess (a bank transfer if none)."""
    terms = getattr(invoice, "payment_terms", None)
    return (terms.method if terms is not None else "") or PaymentMethod.BANK_TRANSFER


# --- Expenses report: what each technician is reimbursed in a month ------------------------------
@dataclass
class ExpenseRow:
    expense: Expense
    billed: bool  # re-billed to the customer too (EXPENSE_RULES)

    @property
    def reimbursed(self) -> Decimal:
        """The amount paid back: what was spent; for kilometres km x KM_RATE, as recorded."""
        return self.expense.amount


@dataclass
class TechnicianExpenses:
    technician: User | None
    rows: list[ExpenseRow]

    @property
    def total(self) -> Decimal:
        return sum((row.reimbursed for row in self.rows), Decimal("0.00"))

    @property
    def km(self) -> Decimal:
        return sum((row.expense.km or Decimal(0) for row in self.rows), Decimal(0))


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day of ``month`` and of the next one."""
    start = month.replace(day=1)
    return start, (start + datetime.timedelta(days=32)).replace(day=1)


def reimbursed_expenses(month: datetime.date, technician: User | None = None) -> QuerySet[Expense]:
    """The expenses of ``month`` the technicians are reimbursed (``EXPENSE_RULES``), by
    technician (the intervention's) and day; one query."""
    kinds = [kind for kind in ExpenseKind.values if billing.expense_rule(kind).reimburse]
    start, end = month_bounds(month)
    queryset = Expense.objects.filter(date__gte=start, date__lt=end, kind__in=kinds)
    if technician is not None:
        queryset = queryset.filter(intervention__technician=technician)
    return queryset.select_related(
        "intervention__technician", "intervention__call__customer"
    ).order_by(
        "intervention__technician__last_name",
        "intervention__technician__first_name",
        "intervention__technician_id",
        "date",
        "pk",
    )


def expenses_by_technician(expenses: Iterable[Expense]) -> list[TechnicianExpenses]:
    billed: dict[str, bool] = {
        kind: billing.expense_rule(kind).rebill != billing.REBILL_NO for kind in ExpenseKind.values
    }
    return [
        TechnicianExpenses(
            technician=group[0].intervention.technician,
            rows=[ExpenseRow(expense, billed[expense.kind]) for expense in group],
        )
        for _pk, grouped in groupby(expenses, lambda e: e.intervention.technician_id)
        for group in [list(grouped)]
    ]
