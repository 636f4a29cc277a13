"""Every write of final verification and invoicing: atomic, checked, recorded, mail after commit.

Numbering decision: invoices take their numbers from the ``invoice`` series (``2026/0001``),
credit notes from their own ``credit_note`` series (``NC 2026/0001``); both are allocated by
``service_portal.numbering.next_value`` inside the issuing transaction, so a refused or failed
issuance rolls the counter back and consumes no number.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.models import User
from calls import services as call_services
from calls.models import Call, Intervention, State
from customers.fiscal import SDI_FOREIGN, SDI_NONE, missing_for_invoice, missing_labels
from customers.models import Customer
from events.outbox import emit
from invoicing import access, billing, fees, payments, selectors, vat
from invoicing.models import (
    ContractFee,
    Correction,
    CorrectionAction,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceState,
    InvoiceStateChange,
    LineKind,
    VerifiedFigures,
)
from service_portal import company, history, parties
from service_portal.errors import DomainError, RoleRefused
from service_portal.money import ZERO, Taxed, money
from service_portal.money import totals as money_totals
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


def _move(
    intervention: Intervention, to_state: str, acting_user: User, reason: str = ""
) -> Intervention:
    """The intervention's lifecycle step (calls' transition), refused in invoicing's words."""
    try:
        return call_services.transition(
            intervention=intervention,
            to_state=to_state,
            acting_user=acting_user,
            reason=reason.strip(),
        )
    except call_services.CallError as error:
        raise _from_call_error(error) from error


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
    acting_user: User,
    reason: str,
    line: str = "",
    kind: str = "",
    remove: bool = False,
    description: str = "",
    quantity: Decimal | None = None,
    unit_price: Decimal | None = None,
    discount: Decimal | None = None,
) -> Correction:
    """Record a correction of one line of the bill: change its quantity, unit price (before
    discount) or discount, remove it (``remove``), or add a line (no ``line``: ``kind``,
    quantity and unit price). The technician's records stay untouched."""
    _require_admin(acting_user)
    locked = _locked_done(intervention)
    if not reason.strip():
        raise InvoicingError(_("Please give a reason for the correction."))
    for value in (quantity, unit_price, discount):
        if value is not None and (not value.is_finite() or value < 0):
            raise InvoicingError(_("Quantities, prices and discounts cannot be negative."))
    if discount is not None and discount > 100:
        raise InvoicingError(_("The discount must be between 0 and 100%."))
    description = description.strip()
    if not line:
        if kind not in LineKind.values:
            raise InvoicingError(_("Choose the kind of the new line."))
        if quantity is None or unit_price is None:
            raise InvoicingError(_("A new line needs a quantity and a unit price."))
        action = CorrectionAction.ADD
    else:
        current = {bill_line.key: bill_line for bill_line in selectors.bills_for([locked])[0].lines}
        if line not in current:
            raise InvoicingError(_("This line is no longer on the bill: reload the page."))
        kind = current[line].kind
        if remove:
            action = CorrectionAction.REMOVE
            quantity = unit_price = discount = None
        elif quantity is None and unit_price is None and discount is None:
            raise InvoicingError(_("Give the corrected quantity, unit price or discount."))
        else:
            action = CorrectionAction.CHANGE
    return Correction.objects.create(
        intervention=locked,
        kind=kind,
        action=action,
        line=line,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
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
    locked = _move(intervention, State.VERIFIED, acting_user)
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
    locked = _move(intervention, State.DONE, acting_user, reason=reason)
    VerifiedFigures.objects.filter(intervention=locked).delete()
    return locked


@transaction.atomic
def send_back(*, intervention: Intervention, acting_user: User, reason: str) -> Intervention:
    """done -> planned with a reason; the technician is told by e-mail after commit."""
    _require_admin(acting_user)
    _locked_done(intervention)
    if not reason.strip():
        raise InvoicingError(_("Please say why the intervention is sent back."))
    locked = _move(intervention, State.PLANNED, acting_user, reason=reason)
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
    # One invoice per paying customer: a plant's calls go to its billing customer (head office).
    if len({call.customer.payer_id for call in calls}) != 1:
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
        Call.objects.select_for_update(of=("self",))
        .filter(pk__in=[c.pk for c in calls])
        .select_related("customer")
        .prefetch_related("interventions")
        .order_by("pk")
    )
    _check_calls(calls)
    busy = Invoice.objects.filter(state=InvoiceState.DRAFT, calls__in=calls).first()
    if busy is not None:
        raise InvoicingError(_("A selected call is already on another draft invoice."))
    invoice = Invoice.objects.create(customer_id=calls[0].customer.payer_id, created_by=acting_user)
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


def _reference(intervention: Intervention, invoice: Invoice) -> str:
    """What the lines of one intervention are about, for the customer: the call, the machine
    and its serial number (never the technicians' internal notes); on a head office's invoice,
    also the plant (customer and site) the work was done for."""
    call = intervention.call
    parts = [_("Call %(code)s") % {"code": call.code}]
    if call.customer_id != invoice.customer_id:
        parts.append(f"{call.customer.name}, {call.site.name}")
    unit = call.unit
    if unit is not None:
        parts.append(
            _("%(product)s, serial number %(serial)s")
            % {"product": unit.product, "serial": unit.serial_number}
        )
    return " · ".join(parts)[:250]


def _frozen_lines(invoice: Invoice, bills: list[billing.InterventionBill]) -> list[InvoiceLine]:
    """The invoice's lines as the customer reads them: the notes that only concern the office
    (no rate, corrected) stay on the verification page; an amount that is not quantity × price
    (kilometres and expenses at cost, corrected amounts) is one unit at that amount."""
    frozen = []
    position = 0
    for item in bills:
        reference = _reference(item.intervention, invoice)
        for line in item.lines:
            if not line.quantity and not line.amount:
                # A quoted rate nobody worked at (overtime, holiday) bills nothing: the
                # comparison with the quote stays on the verification page.
                continue
            position += 1
            quantity, unit_price, description = line.quantity, line.unit_price, line.description
            warranty = billing.NOTE_WARRANTY in line.notes
            if not warranty and money(quantity * unit_price) != line.amount:
                if line.kind == LineKind.KM and quantity:
                    description = _("%(label)s (%(km)s km)") % {
                        "label": description,
                        "km": formats.number_format(quantity, decimal_pos=0, use_l10n=True),
                    }
                quantity, unit_price = Decimal(1), line.amount
            frozen.append(
                InvoiceLine(
                    invoice=invoice,
                    call_code=item.intervention.call.code,
                    intervention_code=item.intervention.code,
                    reference=reference,
                    kind=line.kind,
                    description=str(description)[:250],
                    quantity=quantity,
                    unit_price=unit_price,
                    amount=line.amount,
                    vat_rate=line.vat_rate,
                    vat_natura=line.vat_natura,
                    vat_reference=line.vat_reference[:250],
                    note=(str(billing.NOTE_WARRANTY) if warranty else line.customer_note)[:100],
                    position=position,
                )
            )
    return frozen


def _stamp_duty_line(invoice: Invoice, lines: list[InvoiceLine]) -> InvoiceLine | None:
    """The stamp duty's own line when it is due on ``lines`` (``invoicing.vat``), last."""
    extra = vat.with_stamp_duty(lines)[len(lines) :]
    if not extra:
        return None
    duty = extra[0]
    return InvoiceLine(
        invoice=invoice,
        kind=duty.kind,
        description=str(duty.description)[:250],
        quantity=duty.quantity,
        unit_price=duty.unit_price,
        amount=duty.amount,
        vat_rate=duty.vat_rate,
        vat_natura=duty.vat_natura,
        vat_reference=duty.vat_reference[:250],
        position=len(lines) + 1,
    )


def _freeze_seller(invoice: Invoice) -> None:
    """The company's identity, bank and payment terms as they are on the day of issue, in the
    customer's language: a later change of the profile never alters an issued invoice."""
    profile = company.current_from_database()
    if profile is None:
        return
    with translation.override(invoice.customer.language or None):
        payment_terms = profile.payment_terms or ""
    invoice.seller = {
        "legal_name": profile.legal_name,
        "address": profile.address,
        "postal_code": profile.postal_code,
        "city": profile.city,
        "province": profile.province,
        "vat_number": profile.vat_number,
        "fiscal_code": profile.fiscal_code,
        "rea_office": profile.rea_office,
        "rea_number": profile.rea_number,
        "share_capital": str(profile.share_capital) if profile.share_capital else "",
        "sole_shareholder": profile.sole_shareholder,
        "in_liquidation": profile.in_liquidation,
        "tax_regime": profile.tax_regime,
        "pec": profile.pec,
        "phone": profile.phone,
        "email": profile.email,
        "website": profile.website,
        "bank_name": profile.bank_name,
        "iban": profile.iban,
        "bic": profile.bic,
        "payment_terms": payment_terms,
    }


def _freeze_customer(invoice: Invoice) -> None:
    """The invoice's own customer columns, from the shared party description; the address
    without the country, which is frozen apart and printed by name in the document's language."""
    customer = invoice.customer
    party = parties.company(customer)
    invoice.customer_name = party["name"]
    invoice.customer_vat_number = party["vat_number"]
    invoice.customer_fiscal_code = party["fiscal_code"]
    province = f"({customer.province})" if customer.province else ""
    place = " ".join(p for p in (customer.postal_code, customer.city, province) if p)
    invoice.customer_address = "\n".join(p for p in (customer.address, place) if p)
    invoice.customer_country = customer.country
    invoice.customer_vat_regime = customer.vat_regime
    invoice.customer_sdi_code = customer.sdi_code or (
        SDI_FOREIGN if customer.country != "IT" else SDI_NONE
    )
    invoice.customer_pec = customer.pec
    invoice.customer_is_public_administration = customer.is_public_administration
    invoice.customer_email = party["email"]
    invoice.language = party["language"]


def _require_fiscal_data(customer: Customer) -> None:
    """Refuse (before any number is taken) when the law's data for the invoice is missing."""
    if company.current_from_database() is None:
        raise InvoicingError(
            format_html(
                _(
                    "Not issued: the company profile is missing (the seller's name, address "
                    'and VAT number). <a href="{url}">Fill in the company profile</a>.'
                ),
                url=reverse("company_profile"),
            )
        )
    missing = missing_for_invoice(customer)
    if missing:
        raise InvoicingError(
            format_html(
                _(
                    "Not issued: the customer's fiscal data is incomplete, missing: {fields}. "
                    '<a href="{url}">Complete {customer}</a>, then issue again.'
                ),
                fields=", ".join(missing_labels(missing)),
                url=reverse("customers:customer_update", args=[customer.pk]),
                customer=customer.name,
            )
        )


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
    "customer_country",
    "customer_vat_regime",
    "customer_sdi_code",
    "customer_pec",
    "customer_is_public_administration",
    "seller",
    "language",
    "taxable",
    "vat",
    "split_payment",
    "stamp_duty",
    "total",
    "issued_by",
    "issued_at",
]


def _number(invoice: Invoice) -> None:
    series = "credit_note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "invoice"
    year, number = next_value(series, timezone.localdate().year)
    prefix = "NC " if invoice.kind == InvoiceKind.CREDIT_NOTE else ""
    invoice.year, invoice.number = year, number
    # The company's invoice series (sezionale) keeps the portal's numbers apart from the ERP's.
    profile = company.current_from_database()
    suffix = f"/{profile.invoice_series}" if profile and profile.invoice_series else ""
    invoice.code = f"{prefix}{year}/{number:04d}{suffix}"


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
    fee = ContractFee.objects.filter(invoice=locked).first()
    if fee is not None:
        return _issue_fee(locked, fee, acting_user)
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
    _require_fiscal_data(locked.customer)
    # The lines are written for the customer, in the customer's language (the labels of the
    # kinds and of the warranty are translated now and frozen).
    with translation.override(locked.customer.language or None):
        bills = selectors.bills_for(interventions)
        lines = _frozen_lines(locked, bills)
        stamp_line = _stamp_duty_line(locked, lines)
    _check_verified_figures(bills)  # a refusal speaks the user's language, not the customer's
    _freeze_and_number(locked, lines, stamp_line, acting_user)
    for intervention in interventions:
        call_services.transition(
            intervention=intervention, to_state=State.INVOICED, acting_user=acting_user
        )
    emit("invoice.issued", locked, invoice_payload(locked))
    _queue_email(locked)
    return locked


def _freeze_and_number(
    locked: Invoice, lines: list[InvoiceLine], stamp_line: InvoiceLine | None, acting_user: User
) -> None:
    """What every issue does once the lines are written: the stamp duty's line, the totals,
    the customer and the seller frozen, the next number of the series, the payment terms and
    due dates, the lines saved."""
    if stamp_line is not None:
        lines.append(stamp_line)
    result = money_totals(Taxed(line.amount, line.vat_rate) for line in lines)
    _freeze_customer(locked)
    _freeze_seller(locked)
    _number(locked)
    locked.taxable, locked.vat, locked.total = result.taxable, result.vat, result.total
    locked.split_payment = vat.split_payment(locked.customer)
    locked.stamp_duty = stamp_line.amount if stamp_line is not None else ZERO
    _issue(locked, acting_user)
    payments.freeze_terms(locked)
    InvoiceLine.objects.bulk_create(lines)


def _issue_fee(locked: Invoice, fee: ContractFee, acting_user: User) -> Invoice:
    """Issue a contract fee's draft (``invoicing.fees``): one line, the fee of its period, taxed
    like any service for the customer, numbered in the same series as every invoice."""
    _require_fiscal_data(locked.customer)
    with translation.override(locked.customer.language or None):
        line = fees.fee_line(fee)
        vat.apply([line], locked.customer)
        lines = [
            InvoiceLine(
                invoice=locked,
                reference=_("Service contract %(code)s") % {"code": fee.contract.code},
                kind=LineKind.CONTRACT_FEE,
                description=str(line.description)[:250],
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                vat_rate=line.vat_rate,
                vat_natura=line.vat_natura,
                vat_reference=line.vat_reference[:250],
                position=1,
            )
        ]
        stamp_line = _stamp_duty_line(locked, lines)
    _freeze_and_number(locked, lines, stamp_line, acting_user)
    emit("invoice.issued", locked, invoice_payload(locked))
    _queue_email(locked)
    return locked


def invoice_payload(invoice: Invoice) -> dict:
    """What the ERP is told of an issued invoice or credit note (docs/integration.md)."""
    return {
        "invoice": {
            "id": invoice.pk,
            "number": invoice.code,
            "kind": invoice.kind,
            "issue_date": invoice.issue_date,
            "taxable": invoice.taxable,
            "vat": invoice.vat,
            "total": invoice.total,
            "credited": invoice.credited.code if invoice.credited is not None else None,
        },
        "customer": {"id": invoice.customer_id, "external_code": invoice.customer.external_code},
    }


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
