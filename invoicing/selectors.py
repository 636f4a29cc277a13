"""Reads of final verification and invoicing, with the prefetching that keeps query counts fixed."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from django.db.models import Prefetch, QuerySet

from calls.models import Call, Intervention, InterventionNote, State
from invoicing import billing
from invoicing.models import Invoice, InvoiceState
from invoicing.services import call_is_billable


def with_billing_data(queryset: QuerySet[Intervention]) -> QuerySet[Intervention]:
    """Everything ``billing.bill`` reads, in a fixed number of queries."""
    return queryset.select_related(
        "type", "quote", "technician", "call__customer", "call__site", "call__unit__product"
    ).prefetch_related(
        "quote__lines",
        "time_entries",
        "expenses",
        "parts_used",
        "billing_corrections",
    )


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
    return queryset.get()


def bills_for(interventions: Iterable[Intervention]) -> list[billing.InterventionBill]:
    pks = [i.pk for i in interventions]
    fetched = with_billing_data(Intervention.objects.filter(pk__in=pks)).order_by(
        "call__code", "number"
    )
    return [billing.bill(i) for i in fetched]


def billable_calls() -> list[tuple]:
    """Calls ready to invoice, grouped by customer: [(customer, [call, ...]), ...].

    A call qualifies when it has a verified intervention, all its billed interventions are
    verified or invoiced, and it is on no draft invoice.
    """
    candidates = (
        Call.objects.filter(interventions__state=State.VERIFIED)
        .exclude(invoices__state=InvoiceState.DRAFT)
        .distinct()
        .select_related("customer", "unit__product")
        .prefetch_related("interventions")
        .order_by("customer__name", "customer_id", "received_at")
    )
    calls = [c for c in candidates if call_is_billable([i.state for i in c.interventions.all()])]
    return [(customer, list(group)) for customer, group in groupby(calls, lambda c: c.customer)]


def invoices() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("customer", "credited").order_by(
        "-issue_date", "-year", "-number", "-pk"
    )


def invoice_detail(pk: int) -> Invoice:
    return (
        Invoice.objects.select_related("customer", "credited", "issued_by", "created_by")
        .prefetch_related("lines", "calls", "credit_notes")
        .get(pk=pk)
    )


def draft_bills(invoice: Invoice) -> list[billing.InterventionBill]:
    return bills_for(invoice.interventions.all())
