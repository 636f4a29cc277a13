"""Credit notes: the whole invoice, or chosen lines for all or part of their amounts (issue 19).

A credit note is numbered in its own gapless series (``services._number``) inside the
transaction that issues it. Each of its lines points at the invoice line it credits
(``InvoiceLine.credited_line``); under the original invoice's row lock the amounts credited so
far are read, so two credit notes racing for the same invoice never credit a line beyond its
amount.

Re-billing: unless told otherwise, the interventions of the credited lines go back from
*invoiced* to *verified* (calls' lifecycle, with the credit note's number and reason in their
history), so the corrected work can be put on a new invoice. An intervention invoiced again
since then is left as it is: only the invoice that billed it last may give it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from calls.models import Intervention, State
from events.outbox import emit
from invoicing import services
from invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceState, InvoiceStateChange
from service_portal import history
from service_portal.money import ZERO, Taxed, money
from service_portal.money import totals as money_totals


def credited_so_far(invoice: Invoice) -> dict[int, Decimal]:
    """{line pk: amount already credited (positive)} for the lines of ``invoice``; one query."""
    rows = (
        InvoiceLine.objects.filter(credited_line__invoice=invoice)
        .values("credited_line")
        .annotate(credited=Sum("amount"))
    )
    return {row["credited_line"] or 0: -row["credited"] for row in rows}


def remaining(line: InvoiceLine, credited: Mapping[int, Decimal]) -> Decimal:
    """What can still be credited of ``line``."""
    return line.amount - credited.get(line.pk, ZERO)


def _chosen(
    lines: list[InvoiceLine], credited: Mapping[int, Decimal], amounts: Mapping[int, Decimal] | None
) -> list[tuple[InvoiceLine, Decimal]]:
    """The lines to credit with their amounts, checked against what is left of each."""
    if amounts is None:  # the whole invoice: what is left of every line
        chosen = [(line, remaining(line, credited)) for line in lines]
        chosen = [(line, amount) for line, amount in chosen if amount > 0]
        if not chosen:
            raise services.InvoicingError(_("This invoice has already been credited."))
        return chosen
    by_pk = {line.pk: line for line in lines}
    chosen = []
    for pk, amount in amounts.items():
        line = by_pk.get(pk)
        if line is None:
            raise services.InvoicingError(_("A chosen line is not a line of this invoice."))
        amount = money(amount)
        if amount <= 0:
            raise services.InvoicingError(_("A credited amount must be more than zero."))
        left = remaining(line, credited)
        if amount > left:
            raise services.InvoicingError(
                _("%(line)s: at most %(left)s can still be credited (the line is %(amount)s).")
                % {"line": line.description, "left": left, "amount": line.amount}
            )
        chosen.append((line, amount))
    if not chosen:
        raise services.InvoicingError(_("Choose the lines to credit and their amounts."))
    return sorted(chosen, key=lambda item: (item[0].position, item[0].pk))


def _credit_line(note: Invoice, line: InvoiceLine, amount: Decimal) -> InvoiceLine:
    """The credit note's line: a copy of the whole line, or one unit at the credited amount."""
    whole = amount == line.amount
    return InvoiceLine(
        invoice=note,
        credited_line=line,
        call_code=line.call_code,
        intervention_code=line.intervention_code,
        reference=line.reference,
        kind=line.kind,
        description=line.description,
        quantity=line.quantity if whole else Decimal(1),
        unit_price=line.unit_price if whole else amount,
        amount=-amount,
        vat_rate=line.vat_rate,
        vat_natura=line.vat_natura,
        vat_reference=line.vat_reference,
        note=line.note,
        position=line.position,
    )


def _rebill(original: Invoice, codes: set[str], acting_user: User, reason: str) -> list[str]:
    """invoiced -> verified for the interventions of the credited lines that ``original`` billed
    last; returns their codes."""
    moved = []
    interventions = Intervention.objects.select_for_update().filter(
        invoices=original, code__in=codes, state=State.INVOICED
    )
    for intervention in interventions.order_by("call_id", "number"):
        last = (
            Invoice.objects.filter(
                interventions=intervention, kind=InvoiceKind.INVOICE, state=InvoiceState.ISSUED
            )
            .order_by("-issued_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if last == original.pk:
            services._move(intervention, State.VERIFIED, acting_user, reason=reason)
            moved.append(intervention.code)
    return moved


@transaction.atomic
def issue_credit_note(
    *,
    invoice: Invoice,
    acting_user: User,
    reason: str,
    amounts: Mapping[int, Decimal] | None = None,
    rebill: bool = True,
) -> Invoice:
    """A credit note for ``amounts`` ({invoice line pk: amount to credit}) or, without them,
    for everything not credited yet; numbered in its own series and issued at once.

    With ``rebill`` the interventions of the credited lines become billable again.
    """
    services._require_admin(acting_user)
    original = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if original.state != InvoiceState.ISSUED or original.kind != InvoiceKind.INVOICE:
        raise services.InvoicingError(_("Only an issued invoice can be credited."))
    reason = reason.strip()
    if not reason:
        raise services.InvoicingError(_("Please give a reason for the credit note."))
    lines = list(original.lines.order_by("position", "pk"))
    credited = credited_so_far(original)
    chosen = _chosen(lines, credited, amounts)
    note = Invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        customer=original.customer,
        credited=original,
        reason=reason,
        created_by=acting_user,
    )
    note.save()
    services._freeze_customer(note)
    services._freeze_seller(note)
    services._number(note)
    credit_lines = [_credit_line(note, line, amount) for line, amount in chosen]
    if not credited and len(chosen) == len(lines) and all(a == ln.amount for ln, a in chosen):
        # The whole invoice at once: exactly its totals, with the opposite sign.
        note.taxable, note.vat, note.total = -original.taxable, -original.vat, -original.total
        # The note follows the invoice's VAT treatment, the stamp duty included.
        note.stamp_duty = original.stamp_duty
    else:
        result = money_totals(Taxed(line.amount, line.vat_rate) for line in credit_lines)
        note.taxable, note.vat, note.total = result.taxable, result.vat, result.total
    note.split_payment = original.split_payment
    services._issue(note, acting_user, reason=note.reason)
    # The credited invoice keeps its state; its history says by which note and why.
    history.record(
        InvoiceStateChange,
        original,
        from_state=original.state,
        to_state=original.state,
        by=acting_user,
        reason=f"{note.code}: {note.reason}",
    )
    InvoiceLine.objects.bulk_create(credit_lines)
    if rebill:
        codes = {line.intervention_code for line, _amount in chosen if line.intervention_code}
        _rebill(original, codes, acting_user, reason=f"{note.code}: {note.reason}")
    emit("invoice.credited", note, services.invoice_payload(note))
    services._queue_email(note)
    return note
