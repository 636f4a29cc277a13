"""Invoicing many calls at once (issue 19): the batch "every verified call up to a date, one
draft per billing customer", its preview, and issuing several drafts together.

The paying customer of a call is its customer's billing customer (a head office paying for its
plants) or the customer itself (``Customer.payer_id``); in SQL, ``PAYER``.

The preview is paginated by payer and reads ``CallToInvoice``, one row per call waiting to be
invoiced with its verified figures already summed, kept by the database in the transaction of
every change (``invoicing.waiting``): a page reads its payers by walking the customers in name
order and probing each for a waiting call (``preview_payers``), then sums the rows of those
payers' calls only (``preview_rows``). A page costs the same two queries and about the same
time with ten or with fifty thousand verified interventions waiting; there is no total count of
payers (that would sum everything), the page offers "Next" instead.

Creating the drafts takes one transaction per payer (``services.create_draft``, which locks the
calls); issuing selected drafts too (``services.issue``, under the numbering lock): a refusal
of one (missing fiscal data, say) is reported with the customer's name and does not stop the
others, and the invoice numbers stay gapless.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from calls.models import Call, Intervention, State
from customers.fiscal import missing_for_invoice, missing_labels
from customers.models import Customer
from invoicing import selectors, services, waiting
from invoicing.models import CallToInvoice, Invoice, InvoiceState

# How many drafts one run of the batch makes; the rest waits for the next run (the page says so).
MAX_DRAFTS_PER_RUN = 200


def payer(prefix: str = "customer__") -> Coalesce:
    """The paying customer's id of a call (``prefix`` leads from the row to the call's customer)."""
    return Coalesce(F(f"{prefix}billing_customer_id"), F(f"{prefix}id"))


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the portal's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def batch_calls(up_to: datetime.date) -> QuerySet[Call]:
    """The calls to invoice whose verified interventions were all verified by ``up_to``."""
    later = Intervention.objects.filter(
        call=OuterRef("pk"), state=State.VERIFIED, state_changed_at__gte=_end_of(up_to)
    )
    return selectors.billable_calls().exclude(Exists(later))


def _with_batch_calls(customers: QuerySet[Customer], up_to: datetime.date) -> QuerySet[Customer]:
    """The ``customers`` that pay for calls of ``batch_calls(up_to)``: their own, or those of
    the plants they pay for. Each customer is probed for its first waiting call in
    ``CallToInvoice`` (kept by the database, ``invoicing.waiting``) through its index by
    (customer, last verification): a scalar subquery with LIMIT 1, for the customer and for
    its plants (an EXISTS under an OR would become a hashed set of every waiting call)."""
    waiting_calls = CallToInvoice.objects.filter(waiting.waiting_by(_end_of(up_to))).order_by()
    own = waiting_calls.filter(customer_id=OuterRef("pk")).values("pk")[:1]
    plants = waiting_calls.filter(customer__billing_customer_id=OuterRef("pk")).values("pk")[:1]
    return customers.alias(own_call=Subquery(own), plant_call=Subquery(plants)).filter(
        Q(own_call__isnull=False) | Q(plant_call__isnull=False)
    )


def preview_payers(
    up_to: datetime.date, *, after: tuple[str, int] | None = None, offset: int = 0
) -> QuerySet[Customer]:
    """The paying customers with calls to invoice up to ``up_to``, by name then id, from the
    key ``after`` (name, id) of the last one of the previous page (or skipping ``offset``).

    Read by walking the customers in name order (``customer_list_order_idx``) and probing each
    for a call to invoice, so a page costs what its payers and the customers between them cost,
    not the verified interventions of the whole database; there is no total count (the page
    offers "Next" when one more payer follows)."""
    payers = _with_batch_calls(Customer.objects.filter(billing_customer__isnull=True), up_to)
    if after is not None:
        name, pk = after
        # name >= the key first: the index starts there, the OR only sorts out the ties.
        payers = payers.filter(name__gte=name).filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
    return payers.order_by("name", "pk")[offset:] if offset else payers.order_by("name", "pk")


def preview_rows(up_to: datetime.date, payer_ids: list[int]) -> QuerySet:
    """For the payers ``payer_ids``: one row per (payer, plant) with the calls, interventions
    and the verified figures summed (``without_figures`` counts the interventions verified
    before figures were recorded, billed as they are), from the rows of their waiting calls in
    ``CallToInvoice`` (one per call, already summed over its interventions). The plants are
    found by foreign key (indexed), not by the payer expression."""
    plants = Customer.objects.filter(
        Q(billing_customer_id__in=payer_ids) | Q(pk__in=payer_ids, billing_customer__isnull=True)
    )
    return (
        CallToInvoice.objects.filter(waiting.waiting_by(_end_of(up_to)))
        .filter(customer__in=plants.values("pk"))
        .values(
            payer=payer("customer__"),
            plant=F("customer_id"),
            plant_name=F("customer__name"),
        )
        .annotate(
            calls=Count("pk"),
            interventions=Sum("interventions"),
            taxable=Sum("taxable"),
            total=Sum("total"),
            without_figures=Sum("without_figures"),
        )
        .order_by("payer", "plant_name", "plant")
    )


@dataclass
class PreviewDraft:
    """A draft the batch would make: the payer, its figures and the plants whose calls it pays."""

    payer: Customer
    calls: int = 0
    interventions: int = 0
    taxable: object = None
    total: object = None
    without_figures: int = 0
    plants: list[tuple[str, int]] = field(default_factory=list)  # (customer name, calls)
    missing_fiscal: list[str] = field(default_factory=list)


def _add(total, amount):
    """Sums as the database's SUM does: None only when every amount is None."""
    if amount is None:
        return total
    return amount if total is None else total + amount


def preview_details(payers: list[Customer], up_to: datetime.date) -> list[PreviewDraft]:
    """The page's payers with their figures and plants: one query, whatever the page holds."""
    drafts = {
        customer.pk: PreviewDraft(
            payer=customer, missing_fiscal=missing_labels(missing_for_invoice(customer))
        )
        for customer in payers
    }
    for row in preview_rows(up_to, list(drafts)):
        draft = drafts[row["payer"]]
        draft.calls += row["calls"]
        draft.interventions += row["interventions"]
        draft.taxable = _add(draft.taxable, row["taxable"])
        draft.total = _add(draft.total, row["total"])
        draft.without_figures += row["without_figures"]
        draft.plants.append((row["plant_name"], row["calls"]))
    return list(drafts.values())


@dataclass
class Outcome:
    """What a batch action did: the documents made and the refusals, by customer."""

    done: list[Invoice] = field(default_factory=list)
    refused: list[SafeString] = field(default_factory=list)
    left: int = 0  # payers left for another run


def _refusal(name: str, error: services.InvoicingError) -> SafeString:
    return format_html("{}: {}", name, error.message)


def create_drafts(*, up_to: datetime.date, acting_user: User) -> Outcome:
    """One draft per paying customer for the calls of ``batch_calls(up_to)``; each draft in its
    own transaction (a refused one does not stop the others), at most ``MAX_DRAFTS_PER_RUN``."""
    services._require_admin(acting_user)
    groups: dict[int, list[int]] = defaultdict(list)
    rows = (
        batch_calls(up_to)
        .order_by()
        .annotate(payer=payer())
        .values_list("payer", "pk")
        .order_by("payer", "pk")
    )
    for payer_id, call_id in rows:
        groups[payer_id].append(call_id)
    names = dict(Customer.objects.filter(pk__in=list(groups)).values_list("pk", "name"))
    ordered = sorted(groups, key=lambda pk: (names.get(pk, ""), pk))
    outcome = Outcome(left=max(0, len(ordered) - MAX_DRAFTS_PER_RUN))
    for payer_id in ordered[:MAX_DRAFTS_PER_RUN]:
        calls = [Call(pk=pk) for pk in groups[payer_id]]
        try:
            outcome.done.append(services.create_draft(calls=calls, acting_user=acting_user))
        except services.InvoicingError as error:
            outcome.refused.append(_refusal(names.get(payer_id, "?"), error))
    return outcome


def issue_drafts(*, invoice_ids: list[int], acting_user: User) -> Outcome:
    """Issue each draft in its own transaction under the numbering lock, in the given order; a
    refusal is reported with the customer's name and the next draft is issued all the same."""
    services._require_admin(acting_user)
    drafts = Invoice.objects.select_related("customer").in_bulk(invoice_ids)
    outcome = Outcome()
    for pk in invoice_ids:
        draft = drafts.get(pk)
        if draft is None:
            continue
        try:
            outcome.done.append(services.issue(invoice=draft, acting_user=acting_user))
        except services.InvoicingError as error:
            outcome.refused.append(_refusal(draft.customer.name, error))
    return outcome


@transaction.atomic
def remove_call(*, invoice: Invoice, call: Call, acting_user: User) -> Invoice | None:
    """Take a call (and its interventions) off a draft; a draft left without calls is deleted
    (None is returned). An issued invoice never changes: credit it instead."""
    services._require_admin(acting_user)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.state != InvoiceState.DRAFT:
        raise services.InvoicingError(
            _("An issued invoice cannot be changed: issue a credit note.")
        )
    if not locked.calls.filter(pk=call.pk).exists():
        raise services.InvoicingError(_("This call is not on the draft."))
    locked.calls.remove(call)
    locked.interventions.remove(*locked.interventions.filter(call=call))
    if not locked.calls.exists():
        locked.interventions.clear()
        locked.delete()
        return None
    return locked


def drafts() -> QuerySet[Invoice]:
    """The draft invoices with their number of calls and verified total (subqueries: no row
    multiplication), newest first."""
    calls = (
        Invoice.calls.through.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(n=Count("pk"))
        .values("n")  # type: ignore[misc]
    )
    verified = (
        Invoice.interventions.through.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("intervention__verified_figures__total"))
        .values("total")  # type: ignore[misc]
    )
    return (
        Invoice.objects.filter(state=InvoiceState.DRAFT)
        .select_related("customer", "created_by")
        .annotate(call_count=Subquery(calls), verified_total=Subquery(verified))
        .order_by("customer__name", "-pk")
    )
