"""The SLA clocks' writes: waiting for the customer (pause, resume) and the first answer.

Each is atomic, locks the call, checks the role (the office) and that the call is still open,
records who did it and recomputes the deadlines (``calls.sla.refresh``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from calls import access, sla
from calls.models import Call, CallPause
from calls.services import CallError, CallRoleRefused


def _locked_open_call(call: Call, user: User) -> Call:
    if not access.is_office(user):
        raise CallRoleRefused(_("Your role may not do this."))
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if not access.call_is_editable(locked):
        raise CallError(_("This call is closed: its data can no longer be changed."))
    return locked


@transaction.atomic
def wait_for_customer(*, call: Call, acting_user: User, reason: str) -> Call:
    """Stop the clocks: the call waits for the customer (the reason is required)."""
    reason = reason.strip()[:200]
    if not reason:
        raise CallError(_("Say what we are waiting for from the customer."))
    locked = _locked_open_call(call, acting_user)
    if locked.waiting_for_customer:
        raise CallError(_("This call is already waiting for the customer."))
    CallPause.objects.create(
        call=locked, reason=reason, started_at=timezone.now(), started_by=acting_user
    )
    locked.waiting_for_customer, locked.waiting_reason = True, reason
    locked.save(update_fields=["waiting_for_customer", "waiting_reason", "version", "updated_at"])
    return sla.refresh(locked)


@transaction.atomic
def resume(*, call: Call, acting_user: User) -> Call:
    """Restart the clocks: the customer answered."""
    locked = _locked_open_call(call, acting_user)
    pause = CallPause.objects.filter(call=locked, ended_at__isnull=True).first()
    if pause is None or not locked.waiting_for_customer:
        raise CallError(_("This call is not waiting for the customer."))
    pause.ended_at, pause.ended_by = timezone.now(), acting_user
    pause.save(update_fields=["ended_at", "ended_by"])
    locked.waiting_for_customer, locked.waiting_reason = False, ""
    locked.save(update_fields=["waiting_for_customer", "waiting_reason", "version", "updated_at"])
    return sla.refresh(locked)


@transaction.atomic
def record_answer(*, call: Call, acting_user: User) -> Call:
    """The first answer to the customer (a technician called back): the response clock stops."""
    locked = _locked_open_call(call, acting_user)
    if locked.responded_at is not None:
        raise CallError(_("The first answer has already been recorded."))
    locked.responded_at = timezone.now()
    return sla.refresh(locked)
