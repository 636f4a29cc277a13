"""The SLA clocks of a call: response and resolution deadlines in business hours.

A call on a unit covered by a service contract gets the contract's targets for its priority.
The *response* clock runs from ``received_at`` until the first answer (recorded by the
operator, or the first intervention done or resolved by phone); the *resolution* clock until
the call is done (``RESOLVED_STATES``). Both count business time on the company's working
calendar (``contracts.calendar``) and stand still while the call waits for the customer
(``CallPause``).

The deadlines are stored on the call (``response_due``, ``resolution_due``) with the next one
still running (``sla_due``) and the moment it becomes "at risk" (``sla_warn_at``:
``SLA_WARNING_MINUTES`` of business time before it), so the search filters and sorts from an
index. ``refresh`` recomputes them; the services call it on every change that moves them
(intake, priority, unit or received time edited, status changes, pause and resume).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from calls.models import Call, State
from contracts.calendar import Interval, WorkingCalendar
from contracts.models import Contract, SlaTarget

# A call in one of these states has been answered and resolved.
RESOLVED_STATES = frozenset({State.DONE, State.VERIFIED, State.INVOICED, State.RESOLVED_BY_PHONE})

FIELDS = [
    "contract",
    "responded_at",
    "resolved_at",
    "response_due",
    "resolution_due",
    "sla_due",
    "sla_warn_at",
    "sla_late",
]


def moves_clocks(before: str, after: str) -> bool:
    """A status change that answers, resolves, reopens or cancels a call (verified ->
    invoiced, say, changes nothing for the clocks)."""
    return (before in RESOLVED_STATES) != (after in RESOLVED_STATES) or State.CANCELLED in (
        before,
        after,
    )


def _hours(value: Decimal) -> datetime.timedelta:
    return datetime.timedelta(minutes=float(value) * 60)


def find_contract(call: Call) -> Contract | None:
    """The contract covering the call's unit (or its site) on the day it was received."""
    day = timezone.localdate(call.received_at)
    return (
        Contract.objects.covering(call.unit, call.site, day)
        if call.unit_id
        else Contract.objects.covering(None, call.site, day)
    )


def _pauses(call: Call, now: datetime.datetime) -> tuple[list[Interval], bool]:
    """The pause intervals (an open one ends now) and whether one is open."""
    intervals, open_pause = [], False
    for pause in call.pauses.all():
        if pause.ended_at is None:
            open_pause = True
        intervals.append((pause.started_at, pause.ended_at or now))
    return intervals, open_pause


def refresh(
    call: Call,
    *,
    calendar: WorkingCalendar | None = None,
    now: datetime.datetime | None = None,
    save: bool = True,
) -> Call:
    """Recompute the call's clocks from its contract, priority, status and pauses."""
    now = now or timezone.now()
    if call.status in RESOLVED_STATES:
        call.resolved_at = call.resolved_at or now
        call.responded_at = call.responded_at or now
    elif call.status != State.CANCELLED:
        call.resolved_at = None  # sent back or a follow-up: the call is open again
    target = None
    if call.contract_id:
        contract = Contract.objects.prefetch_related("targets").get(pk=call.contract_id)
        target = contract.target_for(call.priority)
    if target is None:
        call.response_due = call.resolution_due = call.sla_due = call.sla_warn_at = None
        call.sla_late = False
    else:
        pauses, paused = _pauses(call, now)
        apply_target(call, target, calendar or WorkingCalendar.from_settings(), pauses, paused)
    if save and call.pk:
        Call.objects.filter(pk=call.pk).update(**{f: getattr(call, f) for f in FIELDS})
    return call


def _late(stopped: datetime.datetime | None, due: datetime.datetime | None) -> bool:
    return stopped is not None and due is not None and stopped > due


def apply_target(
    call: Call,
    target: SlaTarget,
    calendar: WorkingCalendar,
    pauses: list[Interval],
    paused: bool,
) -> None:
    """Set the call's deadlines from ``target`` (no query: seeding uses it in bulk)."""
    start = call.received_at
    call.response_due = calendar.add(start, _hours(target.response_hours), pauses)
    call.resolution_due = calendar.add(start, _hours(target.resolution_hours), pauses)
    call.sla_late = _late(call.responded_at, call.response_due) or _late(
        call.resolved_at, call.resolution_due
    )
    running = None
    if call.status != State.CANCELLED and not paused:
        if call.responded_at is None:
            running = target.response_hours
        elif call.resolved_at is None:
            running = target.resolution_hours
    if running is None:
        call.sla_due = call.sla_warn_at = None
        return
    lead = Decimal(settings.SLA_WARNING_MINUTES) / 60
    call.sla_due = calendar.add(start, _hours(running), pauses)
    call.sla_warn_at = calendar.add(start, _hours(max(running - lead, Decimal(0))), pauses)


# --- What the pages and the search read -----------------------------------------------------
ON_TIME, AT_RISK, BREACHED, MET, PAUSED = "on_time", "at_risk", "breached", "met", "paused"


@dataclass(frozen=True)
class ClockView:
    """One clock as the management page shows it."""

    clock: str
    due: datetime.datetime | None
    done_at: datetime.datetime | None
    state: str


def clock_state(
    due: datetime.datetime | None,
    done_at: datetime.datetime | None,
    warn_at: datetime.datetime | None,
    paused: bool,
    now: datetime.datetime,
) -> str:
    if due is None:
        return ""
    if done_at is not None:
        return MET if done_at <= due else BREACHED
    if due <= now:
        return BREACHED
    if paused:
        return PAUSED
    if warn_at is not None and warn_at <= now:
        return AT_RISK
    return ON_TIME


def clocks(call: Call, now: datetime.datetime | None = None) -> list[ClockView]:
    """The call's two clocks (empty without a contract target)."""
    now = now or timezone.now()
    if call.response_due is None:
        return []
    response_running = call.responded_at is None
    return [
        ClockView(
            "response",
            call.response_due,
            call.responded_at,
            clock_state(
                call.response_due,
                call.responded_at,
                call.sla_warn_at if response_running else None,
                call.waiting_for_customer,
                now,
            ),
        ),
        ClockView(
            "resolution",
            call.resolution_due,
            call.resolved_at,
            clock_state(
                call.resolution_due,
                call.resolved_at,
                None if response_running else call.sla_warn_at,
                call.waiting_for_customer,
                now,
            ),
        ),
    ]


def breached_condition(now: datetime.datetime, prefix: str = "") -> Q:
    """Calls whose running clock passed its deadline, or that were answered or resolved late
    (``prefix``: the path to the call, "call__" from an intervention)."""
    return Q(**{f"{prefix}sla_due__lte": now}) | Q(**{f"{prefix}sla_late": True})


def at_risk_condition(now: datetime.datetime, prefix: str = "") -> Q:
    """Calls whose running clock is within the warning lead time of its deadline."""
    return Q(**{f"{prefix}sla_warn_at__lte": now, f"{prefix}sla_due__gt": now})
