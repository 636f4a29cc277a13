"""Sections 4 and 5 of the management page: travel expenses and spare parts used.

Every write here is atomic, checks who acts (the assigned technician, administrators and
operators) and refuses changes once the customer signed (done): the signature covers them, and
final verification freezes what invoicing bills (issue 17). Only an administrator's send-back
(done -> planned, with a reason, which supersedes the signature) reopens them; a verified one
is first reopened (verified -> done).
Hours are not here: they are the planner's time entries (one record, shown in both places).

What a technician may not decide is decided here: the kilometre rate (``settings.KM_RATE``)
and whether a part is under warranty (the unit's warranty on the visit's date).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from calls import access, reports
from calls import checklists as checklist_rules
from calls.access import FROZEN_STATES
from calls.models import (
    Expense,
    ExpenseKind,
    Intervention,
    InterventionOffer,
    NoteKind,
    PartUsed,
    State,
)
from calls.services import CallError, CallRoleRefused, transition
from customers.models import Customer
from orders.models import Order, OrderLine, OrderState, SparePart
from service_portal.money import money, plain
from service_portal.roles import FIELD, Role, has_role
from service_portal.tasks import enqueue_after_commit
from stock import services as stock
from stock.models import Warehouse, WarehouseKind

MAX_KM = Decimal("5000")
MAX_KM_RATE = Decimal("10")
MAX_AMOUNT = Decimal("10000")
MAX_QUANTITY = Decimal("1000")
MAX_RECEIPT_BYTES = 5 * 1024 * 1024
# Receipts are recognised by their first bytes, not by the name the browser sends.
RECEIPT_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
RECEIPT_EXTENSION = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


frozen_message = access.frozen_message  # why signed, verified or invoiced actuals are frozen


def warranty_date(intervention: Intervention) -> datetime.date:
    """The day the warranty is judged on: the requested date of the visit, else today."""
    return intervention.requested_date or timezone.localdate()


def unit_under_warranty(intervention: Intervention) -> bool:
    unit = intervention.call.unit
    return bool(unit and unit.under_warranty(warranty_date(intervention)))


def _lock_for_recording(intervention: Intervention, user: User) -> Intervention:
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not access.is_assigned_or_office(locked, user):
        raise CallRoleRefused(_("This intervention is not assigned to you."))
    if locked.state in FROZEN_STATES:
        raise CallError(frozen_message(locked))
    if not access.may_record(locked, user):
        raise CallError(
            _("Expenses and parts cannot be recorded while the intervention is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    return locked


def receipt_type(upload: UploadedFile) -> str:
    """The receipt's MIME type from its content; a refused file raises ``CallError``."""
    if (upload.size or 0) > MAX_RECEIPT_BYTES:
        raise CallError(_("The receipt is larger than 5 MB."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, mime in RECEIPT_SIGNATURES.items():
        if head.startswith(signature):
            return mime
    raise CallError(_("The receipt must be a PDF, JPEG or PNG file."))


def sniff_stored(head: bytes) -> str:
    for signature, mime in RECEIPT_SIGNATURES.items():
        if head.startswith(signature):
            return mime
    return "application/octet-stream"


@transaction.atomic
def add_expense(
    *,
    intervention: Intervention,
    acting_user: User,
    kind: str,
    date: datetime.date,
    km: Decimal | None = None,
    km_rate: Decimal | None = None,
    amount: Decimal | None = None,
    note: str = "",
    receipt: UploadedFile | None = None,
) -> Expense:
    """Record a travel expense; for kilometres the amount is km × rate rounded to the cent.

    The rate is the office's: a technician's ``km_rate`` is ignored for ``settings.KM_RATE``.
    """
    locked = _lock_for_recording(intervention, acting_user)
    if acting_user.role == Role.TECHNICIAN:
        km_rate = settings.KM_RATE
    if kind not in ExpenseKind.values:
        raise CallError(_("Unknown kind of expense."))
    if date > timezone.localdate():
        raise CallError(_("An expense cannot be dated in the future."))
    if kind == ExpenseKind.KM:
        if km is None or km <= 0 or km > MAX_KM:
            raise CallError(_("The kilometres must be more than 0 and at most 5000."))
        if km_rate is None or km_rate < 0 or km_rate > MAX_KM_RATE:
            raise CallError(_("The rate per km must be between 0 and 10."))
        amount = money(km * km_rate)
    else:
        if amount is None or amount <= 0 or amount > MAX_AMOUNT:
            raise CallError(_("The amount must be more than 0 and at most 10,000."))
        km = km_rate = None
    if receipt is not None:
        # Stored as "<random>.<extension of the detected type>" (calls.models.receipt_path).
        receipt.name = "receipt" + RECEIPT_EXTENSION[receipt_type(receipt)]
    return Expense.objects.create(
        intervention=locked,
        kind=kind,
        date=date,
        km=km,
        km_rate=km_rate,
        amount=money(amount),
        note=note.strip(),
        receipt=receipt or "",
        created_by=acting_user,
    )


@transaction.atomic
def delete_expense(*, expense: Expense, acting_user: User) -> None:
    _lock_for_recording(expense.intervention, acting_user)
    if expense.receipt:
        expense.receipt.delete(save=False)
    expense.delete()


def call_orders(call_id: int) -> QuerySet[Order]:
    """The live orders of the spare-part offers created from call ``call_id`` (an order keeps
    its offer's code; the call is linked to the offer's first revision)."""
    codes = InterventionOffer.objects.filter(intervention__call_id=call_id).values("offer__code")
    return Order.objects.filter(code__in=Subquery(codes)).exclude(state=OrderState.CANCELLED)


def _offered_discount(call_id: int, spare_part: SparePart) -> Decimal:
    """The discount an order of the call gave on ``spare_part`` (0 when none did): a part
    taken from stock beyond what was ordered is billed with the customer's negotiated discount."""
    lines = OrderLine.objects.filter(order__in=call_orders(call_id), spare_part=spare_part)
    return lines.aggregate(best=Max("discount_percent"))["best"] or Decimal(0)


def _from_order_line(locked: Intervention, order_line: OrderLine, quantity: Decimal) -> OrderLine:
    """The order line locked and checked: an order of this call, with enough left of it."""
    line = (
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("order", "spare_part")
        .filter(pk=order_line.pk, order__in=call_orders(locked.call_id))
        .first()
    )
    if line is None or line.spare_part_id is None:
        raise CallError(_("This order line is not one of this call's orders."))
    used = PartUsed.objects.filter(order_line=line).aggregate(total=Sum("quantity"))["total"]
    left = line.quantity - (used or Decimal(0))
    if quantity > left:
        raise CallError(
            _("Only %(left)s of %(code)s are left on order %(order)s.")
            % {"left": plain(left), "code": line.code, "order": line.order.code}
        )
    return line


@transaction.atomic
def add_part(
    *,
    intervention: Intervention,
    acting_user: User,
    spare_part: SparePart | None = None,
    quantity: Decimal,
    serial_or_lot: str = "",
    under_warranty: bool = False,
    order_line: OrderLine | None = None,
    warehouse: Warehouse | None = None,
) -> PartUsed:
    """Record a spare part used; code, description, price and VAT are frozen.

    From stock (``spare_part``): the catalogue's price, with the discount an order of the same
    call gave on that part; billed. From ``order_line`` (an order of a spare-part offer made
    from this call): the order's price and discount, never more than was ordered, and never
    billed again (the invoice names the order). The office decides ``under_warranty``; for a
    technician it is the unit's warranty on the visit's date, whatever was sent.

    A part from stock is taken out of ``warehouse``, or else the van of the intervention's
    technician (``stock.services.consume``, in this transaction: not enough stock refuses the
    part); without either, no stock is moved. A technician takes from their own van or a
    central or branch warehouse, never from another technician's van.
    """
    locked = _lock_for_recording(intervention, acting_user)
    if quantity is None or quantity <= 0:
        raise CallError(_("The quantity must be more than 0."))
    if quantity > MAX_QUANTITY:
        raise CallError(_("The quantity must be at most 1000."))
    if order_line is not None:
        line = _from_order_line(locked, order_line, quantity)
        return PartUsed.objects.create(
            intervention=locked,
            spare_part=line.spare_part,  # type: ignore[misc]  # never None: _from_order_line
            code=line.code,
            description=line.description[:200],
            quantity=quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_rate=line.vat_percent,
            serial_or_lot=serial_or_lot.strip(),
            order_line=line,
            order_code=line.order.code,
            created_by=acting_user,
        )
    if spare_part is None:
        raise CallError(_("Choose a spare part."))
    if acting_user.role == Role.TECHNICIAN:
        under_warranty = unit_under_warranty(locked)
    if not spare_part.is_active:
        raise CallError(_("This spare part is no longer in the catalogue."))
    # The report is the customer's document: the description is frozen in their language.
    language = Customer.objects.filter(calls__pk=locked.call_id).values_list("language", flat=True)[
        0
    ]
    description = getattr(spare_part, f"description_{language}", None) or spare_part.description
    source = _stock_source(locked, acting_user, warehouse)
    move = None
    if source is not None:
        try:
            move = stock.consume(
                spare_part=spare_part,
                quantity=quantity,
                warehouse=source,
                reference=locked.code,
                acting_user=acting_user,
            )
        except stock.StockError as error:
            raise CallError(error.messages) from error
    return PartUsed.objects.create(
        intervention=locked,
        spare_part=spare_part,
        code=spare_part.code,
        description=description[:200],
        quantity=quantity,
        unit_price=spare_part.list_price,
        discount_percent=_offered_discount(locked.call_id, spare_part),
        vat_rate=spare_part.vat_rate.rate,
        serial_or_lot=serial_or_lot.strip(),
        under_warranty=under_warranty,
        stock_move=move,
        created_by=acting_user,
    )


def _stock_source(
    locked: Intervention, acting_user: User, chosen: Warehouse | None
) -> Warehouse | None:
    if chosen is None:
        return stock.van_of(locked.technician_id)
    if (
        acting_user.role == Role.TECHNICIAN
        and chosen.kind == WarehouseKind.VAN
        and chosen.technician_id != acting_user.pk
    ):
        raise CallRoleRefused(_("You may take parts only from your own van."))
    return chosen


@transaction.atomic
def remove_part(*, part: PartUsed, acting_user: User) -> None:
    """Remove a part used; what it took from stock goes back (a return move)."""
    _lock_for_recording(part.intervention, acting_user)
    if part.stock_move is not None:
        stock.give_back(consumption=part.stock_move, acting_user=acting_user)
    part.delete()


# --- Completion: the customer signs, the intervention is done ---------------------------------
MAX_SIGNATURE_BYTES = 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def completion_missing(intervention: Intervention) -> list[str]:
    """What still has to be filled before the intervention may be marked done."""
    missing = []
    # Reached through the reverse relation: calls sits below the planner.
    if not intervention.time_entries.exists():
        missing.append(_("Record at least one time entry (hours section)."))
    if not intervention.notes.filter(kind=NoteKind.REPORT).exists():
        missing.append(_("Write the technician's report (notes section)."))
    unanswered = checklist_rules.missing(intervention)
    if unanswered:
        missing.append(
            _("Answer the checklist's required items: %(items)s.")
            % {"items": ", ".join(unanswered)}
        )
    return missing


@transaction.atomic
def complete_intervention(
    *, intervention: Intervention, acting_user: User, signature_png: bytes, signed_by: str
) -> Intervention:
    """Store the customer's signature (a new signed version) and move it planned -> done.

    Only the assigned technician (or an administrator) may, and only once hours and the
    report note are there: the report (rapportino) made from it must be complete.
    """
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not access.is_assigned_or_office(locked, acting_user):
        raise CallRoleRefused(_("This intervention is not assigned to you."))
    if not has_role(acting_user, FIELD):
        raise CallRoleRefused(_("Only the assigned technician or an administrator completes it."))
    if locked.state != State.PLANNED:
        raise CallError(_("Only a planned intervention can be completed."))
    missing = completion_missing(locked)
    if missing:
        raise CallError(" ".join(str(m) for m in missing))
    signed_by = signed_by.strip()
    if not signed_by:
        raise CallError(_("Type the name of the person who signs."))
    if not signature_png.startswith(PNG_SIGNATURE) or len(signature_png) > MAX_SIGNATURE_BYTES:
        raise CallError(_("The customer's signature is missing."))
    version = locked.signed_reports.count() + 1  # each signature its own file
    locked.signature.save(f"{locked.pk}-{version}.png", ContentFile(signature_png), save=False)
    locked.signed_by = signed_by[:100]
    locked.signed_at = timezone.now()
    locked.save(update_fields=["signature", "signed_by", "signed_at", "updated_at"])
    reports.record_signature(intervention=locked, acting_user=acting_user)
    transition(intervention=locked, to_state=State.DONE, acting_user=acting_user)
    intervention.state = locked.state
    return locked


def send_report(*, intervention: Intervention, acting_user: User) -> str:
    """Queue the report e-mail to the call's contact (after commit); returns the address."""
    call = intervention.call
    if intervention.signed_at is None:
        raise CallError(_("The report exists once the intervention is signed and done."))
    email = call.contact.email if call.contact else ""
    if not email:
        raise CallError(_("The call's contact has no e-mail address."))
    from calls.tasks import send_report_email

    enqueue_after_commit(send_report_email, intervention.pk, acting_user.pk)
    return email
