"""Every write of final verification and invoicing: atomic, checked, recorded, mail after commit.

Numbering decision: invoices take their numbers from the ``invoice`` series (``2026/0001``),
credit notes from their own ``credit_note`` series (``NC 2026/0001``); both are allocated by
``service_portal.numbering.next_value`` inside the issuing transaction, so a refused or failed
issuance rolls the counter back and consumes no number.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from calls import services as call_services
from calls.models import Call, Intervention, State
from invoicing import access, billing, selectors
from invoicing.models import (
    QUANTITY_KINDS,
    Correction,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceState,
    InvoiceStateChange,
    LineKind,
    VerifiedFigures,
)
from service_portal import history, parties
from service_portal.errors import DomainError, RoleRefused
from service_portal.numbering import next_value
from service_portal.tasks import enqueue_after_commit

# An invoice or credit note is issued once and never changes state again (a mistake is corrected
# by a credit note, which is issued at once).
INVOICE_TRANSITIONS: dict[str, set[str]] = {
    InvoiceState.DRAFT: {InvoiceState.ISSUED},
    InvoiceState.ISSUED: set(),
}


class InvoicingError(DomainError):
    """A refused action; the message is translated for the user."""


class InvoicingRoleRefused(RoleRefused, InvoicingError):
    """Not an administrator: an ``InvoicingError`` and a ``PermissionDenied``."""


def _from_call_error(error: call_services.CallError) -> InvoicingError:
    """The intervention's refusal as invoicing's, still a role refusal when it was one."""
    refusal = InvoicingRoleRefused if isinstance(error, RoleRefused) else InvoicingError
    return refusal(error.message)


def _require_admin(user: User) -> None:
    if not access.may_invoice(user):
        raise InvoicingRoleRefused(_("Only administrators may verify and invoice."))


def _locked_done(intervention: Intervention) -> Intervention:
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if locked.state != State.DONE:
        raise InvoicingError(_("Only interventions marked done can be corrected or verified."))
    return locked


# --- Final verification -------------------------------------------------------------------------
@transaction.atomic
def add_correction(
    *,
    intervention: Intervention,
    kind: str,
    acting_user: User,
    reason: str,
    quantity: Decimal | None = None,
    amount: Decimal | None = None,
) -> Correction:
    """Record a correction of one kind of line; the technician's records stay untouched."""
    _require_admin(acting_user)
    locked = _locked_done(intervention)
    if kind not in LineKind.values:
        raise InvoicingError(_("Unknown kind of line."))
    if not reason.strip():
        raise InvoicingError(_("Please give a reason for the correction."))
    if kind in QUANTITY_KINDS:
        if quantity is None or quantity < 0:
            raise InvoicingError(_("Give the corrected number of hours."))
        amount = None
    else:
        if amount is None or amount < 0:
            raise InvoicingError(_("Give the corrected amount."))
        quantity = None
    return Correction.objects.create(
        intervention=locked,
        kind=kind,
        quantity=quantity,
        amount=amount,
        reason=reason.strip(),
        by=acting_user,
    )


@transaction.atomic
def verify(*, intervention: Intervention, acting_user: User) -> Intervention:
    """done -> verified: the intervention is ready to be invoiced.

    The bill's figures are recorded under the intervention's lock (``VerifiedFigures``): from
    now on the actuals are frozen (calls.services.actuals, planner.services) and ``issue`` bills
    exactly these figures.
    """
    _require_admin(acting_user)
    _locked_done(intervention)
    try:
        locked = call_services.transition(
            intervention=intervention, to_state=State.VERIFIED, acting_user=acting_user
        )
    except call_services.CallError as error:
        raise _from_call_error(error) from error
    lines = selectors.bills_for([locked])[0].lines
    result = billing.totals(lines)
    VerifiedFigures.objects.update_or_create(
        intervention=locked,
        defaults={
            "lines": billing.figures(lines),
            "taxable": result.taxable,
            "total": result.total,
            "by": acting_user,
            "at": timezone.now(),
        },
    )
    return locked


@transaction.atomic
def reopen(*, intervention: Intervention, acting_user: User, reason: str) -> Intervention:
    """verified -> done with a reason: the only way to change verified actuals (issue 17).

    The verified figures are dropped: the intervention can be corrected or sent back to the
    technician, and needs a new verification before it can be invoiced.
    """
    _require_admin(acting_user)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if locked.state != State.VERIFIED:
        raise InvoicingError(_("Only a verified intervention can be reopened."))
    if not reason.strip():
        raise InvoicingError(_("Please say why the intervention is reopened."))
    try:
        locked = call_services.transition(
            intervention=intervention,
            to_state=State.DONE,
            acting_user=acting_user,
            reason=reason.strip(),
        )
    except call_services.CallError as error:
        raise _from_call_error(error) from error
    VerifiedFigures.objects.filter(intervention=locked).delete()
    return locked


@transaction.atomic
def send_back(*, intervention: Intervention, acting_user: User, reason: str) -> Intervention:
    """done -> planned with a reason; the technician is told by e-mail after commit."""
    _require_admin(acting_user)
    _locked_done(intervention)
    if not reason.strip():
        raise InvoicingError(_("Please say why the intervention is sent back."))
    try:
        locked = call_services.transition(
            intervention=intervention,
            to_state=State.PLANNED,
            acting_user=acting_user,
            reason=reason.strip(),
        )
    except call_services.CallError as error:
        raise _from_call_error(error) from error
    from invoicing.tasks import send_back_email

    enqueue_after_commit(send_back_email, locked.pk, reason.strip())
    return locked


# --- Draft invoices -----------------------------------------------------------------------------
def call_is_billable(states: list[str]) -> bool:
    """A call can be invoiced when it has a verified intervention and nothing still open."""
    billed = [s for s in states if s not in billing.NOT_BILLED_STATES]
    return State.VERIFIED in billed and all(s in (State.VERIFIED, State.INVOICED) for s in billed)


def _check_calls(calls: list[Call]) -> None:
    if not calls:
        raise InvoicingError(_("Select at least one call."))
    if len({call.customer_id for call in calls}) != 1:
        raise InvoicingError(_("The selected calls belong to different customers."))
    for call in calls:
        states = [i.state for i in call.interventions.all()]
        if not call_is_billable(states):
            raise InvoicingError(
                _("Call %(code)s has interventions that are not verified.") % {"code": call.code}
            )


@transaction.atomic
def create_draft(*, calls: list[Call], acting_user: User) -> Invoice:
    """A draft invoice for verified calls of one customer (no number, nothing frozen yet)."""
    _require_admin(acting_user)
    calls = list(
        Call.objects.select_for_update()
        .filter(pk__in=[c.pk for c in calls])
        .prefetch_related("interventions")
        .order_by("pk")
    )
    _check_calls(calls)
    busy = Invoice.objects.filter(state=InvoiceState.DRAFT, calls__in=calls).first()
    if busy is not None:
        raise InvoicingError(_("A selected call is already on another draft invoice."))
    invoice = Invoice.objects.create(customer=calls[0].customer, created_by=acting_user)
    invoice.calls.set(calls)
    invoice.interventions.set(
        [i for call in calls for i in call.interventions.all() if i.state == State.VERIFIED]
    )
    return invoice


@transaction.atomic
def discard_draft(*, invoice: Invoice, acting_user: User) -> None:
    """Delete a draft; an issued invoice is never deleted (use a credit note)."""
    _require_admin(acting_user)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.state != InvoiceState.DRAFT:
        raise InvoicingError(_("An issued invoice cannot be deleted: issue a credit note."))
    locked.calls.clear()
    locked.interventions.clear()
    locked.delete()


def _freeze_customer(invoice: Invoice) -> None:
    """The invoice's own customer columns, from the shared party description."""
    customer = parties.company(invoice.customer)
    invoice.customer_name = customer["name"]
    invoice.customer_vat_number = customer["vat_number"]
    invoice.customer_fiscal_code = customer["fiscal_code"]
    invoice.customer_address = customer["postal_address"]
    invoice.customer_email = customer["email"]
    invoice.language = customer["language"]


FROZEN_FIELDS = [
    "year",
    "number",
    "code",
    "issue_date",
    "customer_name",
    "customer_vat_number",
    "customer_fiscal_code",
    "customer_address",
    "customer_email",
    "language",
    "taxable",
    "vat",
    "total",
    "issued_by",
    "issued_at",
]


def _number(invoice: Invoice) -> None:
    series = "credit_note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "invoice"
    year, number = next_value(series, timezone.localdate().year)
    prefix = "NC " if invoice.kind == InvoiceKind.CREDIT_NOTE else ""
    invoice.year, invoice.number = year, number
    invoice.code = f"{prefix}{year}/{number:04d}"


def _issue(invoice: Invoice, acting_user: User, reason: str = "") -> None:
    """draft -> issued with the frozen data, recorded in the document's history."""
    invoice.issue_date = timezone.localdate()
    invoice.issued_by = acting_user
    invoice.issued_at = timezone.now()
    history.apply(
        invoice,
        InvoiceState.ISSUED,
        history=InvoiceStateChange,
        by=acting_user,
        reason=reason,
        allowed=INVOICE_TRANSITIONS,
        refused=lambda _from, _to: InvoicingError(_("This invoice has already been issued.")),
        fields=FROZEN_FIELDS,
    )


@transaction.atomic
def issue(*, invoice: Invoice, acting_user: User) -> Invoice:
    """Issue a draft invoice: lock, re-check, number, freeze, move interventions to invoiced.

    Everything happens in one transaction: if an intervention is no longer verified the
    issuance is refused before a number is taken, and any later failure rolls back the number
    together with the rest. The e-mail with the PDF is queued after commit.
    """
    _require_admin(acting_user)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.state != InvoiceState.DRAFT or locked.kind != InvoiceKind.INVOICE:
        raise InvoicingError(_("This invoice has already been issued."))
    interventions = list(
        Intervention.objects.select_for_update()
        .filter(invoices=locked)
        .order_by("call_id", "number")
    )
    stale = [i.code for i in interventions if i.state != State.VERIFIED]
    if stale or not interventions:
        raise InvoicingError(
            _("Not issued: these interventions are no longer verified: %(codes)s.")
            % {"codes": ", ".join(stale) or "-"}
        )
    bills = selectors.bills_for(interventions)
    _check_verified_figures(bills)
    position = 0
    lines = []
    for item in bills:
        for line in item.lines:
            position += 1
            lines.append(
                InvoiceLine(
                    invoice=locked,
                    call_code=item.intervention.call.code,
                    intervention_code=item.intervention.code,
                    kind=line.kind,
                    description=line.description[:250],
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    vat_rate=line.vat_rate,
                    note=line.note[:100],
                    position=position,
                )
            )
    result = billing.totals([line for item in bills for line in item.lines])
    _freeze_customer(locked)
    _number(locked)
    locked.taxable, locked.vat, locked.total = result.taxable, result.vat, result.total
    _issue(locked, acting_user)
    InvoiceLine.objects.bulk_create(lines)
    for intervention in interventions:
        call_services.transition(
            intervention=intervention, to_state=State.INVOICED, acting_user=acting_user
        )
    _queue_email(locked)
    return locked


def _check_verified_figures(bills: list[billing.InterventionBill]) -> None:
    """Refuse to bill figures that differ from the verified ones (issue 17).

    Interventions verified before the figures were recorded have none: their actuals are
    frozen by the services since then, and they are billed as they are.
    """
    verified = {
        v.intervention_id: v.lines
        for v in VerifiedFigures.objects.filter(intervention__in=[b.intervention for b in bills])
    }
    changed = [
        item.intervention.code
        for item in bills
        if item.intervention.pk in verified
        and billing.figures(item.lines) != verified[item.intervention.pk]
    ]
    if changed:
        raise InvoicingError(
            _(
                "Not issued: the billable figures of %(codes)s changed after verification. "
                "Reopen and verify them again."
            )
            % {"codes": ", ".join(changed)}
        )


def _queue_email(invoice: Invoice) -> None:
    if invoice.customer_email:
        from invoicing.tasks import send_invoice_email

        enqueue_after_commit(send_invoice_email, invoice.pk)


@transaction.atomic
def issue_credit_note(*, invoice: Invoice, acting_user: User, reason: str) -> Invoice:
    """A credit note cancelling ``invoice`` in full, numbered in its own series and issued at once.

    It copies the original's frozen lines with opposite amounts; the original stays as it was.
    """
    _require_admin(acting_user)
    original = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if original.state != InvoiceState.ISSUED or original.kind != InvoiceKind.INVOICE:
        raise InvoicingError(_("Only an issued invoice can be credited."))
    if not reason.strip():
        raise InvoicingError(_("Please give a reason for the credit note."))
    if original.credit_notes.exists():
        raise InvoicingError(_("This invoice has already been credited."))
    note = Invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        customer=original.customer,
        credited=original,
        reason=reason.strip(),
        created_by=acting_user,
    )
    note.save()
    _freeze_customer(note)
    _number(note)
    note.taxable, note.vat, note.total = -original.taxable, -original.vat, -original.total
    _issue(note, acting_user, reason=note.reason)
    # The credited invoice keeps its state; its history says by which note and why.
    history.record(
        InvoiceStateChange,
        original,
        from_state=original.state,
        to_state=original.state,
        by=acting_user,
        reason=f"{note.code}: {note.reason}",
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=note,
            call_code=line.call_code,
            intervention_code=line.intervention_code,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=-line.amount,
            vat_rate=line.vat_rate,
            note=line.note,
            position=line.position,
        )
        for line in original.lines.all()
    )
    _queue_email(note)
    return note
