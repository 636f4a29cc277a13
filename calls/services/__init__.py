"""Every write on calls and interventions: one function per action, atomic, checked, recorded.

The lifecycle of an intervention is the ``TRANSITIONS`` map (in ``calls.access``, with the roles
that may make each change) and nothing else: ``transition`` is the only code that changes
``Intervention.state``. Later issues call it too (quotes: expected -> quoted; planner:
expected/quoted -> planned; invoicing: done -> verified, verified -> done when reopened,
verified -> invoiced).
docs/calls.md draws the map as a diagram.

Decision: ``expected -> planned`` is allowed. Not every intervention is quoted (warranty work,
a customer with a maintenance contract, an urgent stop): the operator plans it directly, on the
planner: an intervention becomes *planned* only with a visit (issue 20).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from calls import access, sla, summaries
from calls import checklists as checklist_rules
from calls.access import TRANSITIONS, call_is_editable
from calls.models import (
    OPEN_STATES,
    Call,
    Channel,
    Intervention,
    InterventionNote,
    InterventionOffer,
    InterventionTransition,
    InterventionType,
    NoteKind,
    Priority,
    State,
)
from calls.services.maintenance import close_for as close_maintenance
from customers.models import Contact, Customer, Site, Unit
from events.outbox import emit
from orders.models import Offer
from orders.services import OfferError, create_draft_offer
from quotes.models import PriceList, Quote
from quotes.services import (
    QuoteError,
    create_quote_from_price_list,
    quote_not_accepted,
    send_quote,
)
from service_portal import history, locking
from service_portal.errors import DomainError, RoleRefused
from service_portal.numbering import next_code

# Changes that must say why (kept in the history and shown on the page).
REASON_REQUIRED = frozenset(
    {
        (State.DONE, State.PLANNED),
        (State.VERIFIED, State.DONE),
        (State.INVOICED, State.VERIFIED),
        (State.QUOTED, State.EXPECTED),
        *((state, State.CANCELLED) for state in TRANSITIONS),
    }
)

# Changes that need a visit on the planner first: "planned" means a visit (issue 20). Sending
# back (done -> planned) keeps the visit that was made.
VISIT_REQUIRED = frozenset({(State.EXPECTED, State.PLANNED), (State.QUOTED, State.PLANNED)})

# Changes offered as buttons on the management page. The others have their own pages and
# checks: quoted (the quote section), planned (a visit on the planner: board, planning form or
# drag and drop; issue 20), done (completion with hours, report and the customer's signature),
# invoiced (invoicing), expected (the intervention section), resolved by phone (the call
# section). ``verified``, reopening (verified -> done) and sending back (done -> planned) happen
# on the final verification page, which records the verified figures and drops them again.
MANUAL_TARGETS = frozenset({State.CANCELLED})


class CallError(DomainError):
    """A refused action on a call or intervention; the message is translated for the user."""


class CallRoleRefused(RoleRefused, CallError):
    """A wrong role or someone else's intervention: a ``CallError`` and a ``PermissionDenied``."""


def state_label(state: str) -> str:
    return str(State(state).label)


def _check_transition(intervention: Intervention, to_state: str, user: User, reason: str) -> None:
    from_state = intervention.state
    if to_state not in State.values:
        raise CallError(_("Unknown state."))
    roles = TRANSITIONS[from_state].get(to_state)
    if roles is None:
        raise CallError(
            _("An intervention cannot go from “%(from)s” to “%(to)s”.")
            % {"from": state_label(from_state), "to": state_label(to_state)}
        )
    if not access.role_may_move(user, from_state, to_state):
        raise CallRoleRefused(
            _("Your role may not move an intervention from “%(from)s” to “%(to)s”.")
            % {"from": state_label(from_state), "to": state_label(to_state)}
        )
    if not access.is_assigned_or_office(intervention, user):
        raise CallRoleRefused(_("This intervention is not assigned to you."))
    if (from_state, to_state) in REASON_REQUIRED and not reason.strip():
        raise CallError(_("Please give a reason for this change."))
    if to_state == State.EXPECTED and from_state == State.NEW:
        if intervention.type_id is None or intervention.requested_date is None:
            raise CallError(_("Fill in the intervention type and the requested date first."))
    if to_state in (State.PLANNED, State.DONE) and intervention.technician_id is None:
        raise CallError(_("Assign a technician to the intervention first."))
    if (from_state, to_state) in VISIT_REQUIRED:
        # Planned means a visit: only the planner (board, planning form, drag and drop) plans,
        # after it put the visit on the technician's planner (reverse relation: calls sits
        # below the planner).
        if not intervention.activities.exists():
            raise CallError(_("An intervention is planned by giving it a visit on the planner."))
    if to_state == State.PLANNED and (refusal := quote_not_accepted(intervention)):
        raise CallError(refusal)


def derive_call_status(states: list[str]) -> str:
    """A call's status: the state of its latest intervention that was not cancelled.

    ``states`` are its interventions' states in number order. A follow-up intervention
    replaces the earlier ones as "where the call stands"; a call whose interventions are all
    cancelled is cancelled.
    """
    for state in reversed(states):
        if state != State.CANCELLED:
            return state
    return State.CANCELLED


def _refresh_call_status(call: Call) -> str:
    states = list(call.interventions.order_by("number").values_list("state", flat=True))
    status = derive_call_status(states)
    if status != call.status:
        before = call.status
        # Not an edit of the call's data: version and updated_at stay, so a user editing the
        # call section at the same time does not get a false conflict.
        Call.objects.filter(pk=call.pk).update(status=status)
        emit(
            "call.state_changed",
            call,
            {"call": {"id": call.pk, "code": call.code, "from": call.status, "to": status}},
        )
        call.status = status
        summaries.refresh_for(call)  # the dashboard's counts, in this transaction
        if call.contract_id and sla.moves_clocks(before, status):
            sla.refresh(call)  # answered, resolved, reopened or cancelled: the clocks follow
    return status


@transaction.atomic
def transition(
    *, intervention: Intervention, to_state: str, acting_user: User, reason: str = ""
) -> Intervention:
    """Move ``intervention`` to ``to_state`` if the map, the role and the preconditions allow.

    Locks the row first, so of two concurrent changes one wins and the other sees the new
    state (and is refused if the map no longer allows it). Records the change and updates the
    call's status. Returns the updated intervention (``intervention`` is updated too).
    """
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    _check_transition(locked, to_state, acting_user, reason)
    from_state = locked.state
    if (from_state, to_state) == (State.DONE, State.PLANNED):
        # Sent back: the signature is superseded (kept with its report), the technician
        # corrects and the customer signs again.
        from calls import reports

        reports.supersede(intervention=locked, acting_user=acting_user, reason=reason)
        for field in ("signature", "signed_by", "signed_at"):
            setattr(intervention, field, getattr(locked, field))
    if to_state == State.PLANNED:
        # The checklist version of the visit: the current one when it is planned (issue 21).
        checklist_rules.attach(locked)
    locked.state_changed_at = timezone.now()
    history.apply(
        locked,
        to_state,
        history=InterventionTransition,
        by=acting_user,
        reason=reason.strip(),
        fields=["state_changed_at", "version"],
    )
    emit(
        "intervention.state_changed",
        locked,
        {
            "intervention": {
                "id": locked.pk,
                "code": locked.code,
                "call_id": locked.call_id,
                "from": from_state,
                "to": to_state,
            }
        },
    )
    # A maintenance occurrence's intervention done or cancelled: the next one is due from now.
    close_maintenance(locked, to_state)
    call = Call.objects.get(pk=locked.call_id)
    _refresh_call_status(call)
    for field in ("state", "state_changed_at", "version", "updated_at"):
        setattr(intervention, field, getattr(locked, field))
    return locked


def _require_office(user: User) -> None:
    if not access.is_office(user):
        raise CallRoleRefused(_("Your role may not do this."))


def _check_place(
    customer: Customer, site: Site, contact: Contact | None, unit: Unit | None
) -> None:
    if site.customer_id != customer.pk:
        raise CallError(_("The site must belong to the customer."))
    if contact is not None and contact.customer_id != customer.pk:
        raise CallError(_("The contact must belong to the customer."))
    if unit is not None and unit.site_id != site.pk:
        raise CallError(_("The unit must be installed at the chosen site."))


def _new_intervention(call: Call, number: int, user: User) -> Intervention:
    intervention = Intervention.objects.create(
        call=call,
        number=number,
        code=f"{call.code}/{number}",
        state=State.NEW,
        state_changed_at=timezone.now(),
    )
    history.record(InterventionTransition, intervention, to_state=State.NEW, by=user)
    return intervention


@transaction.atomic
def create_call(
    *,
    acting_user: User,
    customer: Customer,
    site: Site,
    description: str,
    contact: Contact | None = None,
    unit: Unit | None = None,
    channel: str = Channel.PHONE,
    priority: str = Priority.NORMAL,
    received_at: datetime.datetime | None = None,
    no_contact_reason: str = "",
) -> Call:
    """Open a call and its first intervention (state new) in one transaction.

    ``no_contact_reason`` says why no contact was named (kept only when there is none)."""
    if not access.may_open_call(acting_user):
        raise CallRoleRefused(_("Your role may not do this."))
    _check_place(customer, site, contact, unit)
    call = Call.objects.create(
        code=next_code("call"),
        received_at=received_at or timezone.now(),
        channel=channel,
        customer=customer,
        site=site,
        contact=contact,
        no_contact_reason="" if contact is not None else no_contact_reason.strip()[:200],
        unit=unit,
        description=description.strip(),
        priority=priority,
        status=State.NEW,
        created_by=acting_user,
    )
    _new_intervention(call, 1, acting_user)
    call.contract = sla.find_contract(call)
    sla.refresh(call)
    return call


@transaction.atomic
def update_call(
    *,
    call: Call,
    acting_user: User,
    version: int | None,
    site: Site,
    contact: Contact | None,
    unit: Unit | None,
    description: str,
    channel: str,
    priority: str,
    received_at: datetime.datetime,
) -> Call:
    """Change the call section while the call is open (the customer never changes)."""
    _require_office(acting_user)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    locking.check(locked, version, error=CallError)
    if not call_is_editable(locked):
        raise CallError(_("This call is closed: its data can no longer be changed."))
    customer = Customer.objects.get(pk=locked.customer_id)
    _check_place(customer, site, contact, unit)
    received_before = summaries.pair_of(locked)
    locked.site, locked.contact, locked.unit = site, contact, unit
    locked.description = description.strip()
    locked.channel, locked.priority, locked.received_at = channel, priority, received_at
    locked.save(
        update_fields=[
            "site",
            "contact",
            "unit",
            "description",
            "channel",
            "priority",
            "received_at",
            "version",
            "updated_at",
        ]
    )
    summaries.refresh([received_before])  # the day it moved from (the signal did the new one)
    # Another unit or day may be covered by another contract; another priority, other targets.
    locked.contract = sla.find_contract(locked)
    sla.refresh(locked)
    return locked


@transaction.atomic
def fill_intervention_section(
    *,
    intervention: Intervention,
    acting_user: User,
    version: int | None,
    type: InterventionType,  # noqa: A002 - the field's name
    requested_date: datetime.date,
    technician: User | None = None,
    expected_hours: Decimal | None = None,
    what_to_bring: str = "",
) -> Intervention:
    """Save the intervention section; the first time, the intervention becomes *expected*."""
    _require_office(acting_user)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    locking.check(locked, version, error=CallError)
    if locked.state not in OPEN_STATES:
        raise CallError(
            _("The intervention is “%(state)s”: its data can no longer be changed.")
            % {"state": state_label(locked.state)}
        )
    if technician is not None and not access.is_active_technician(technician):
        raise CallError(_("Choose an active technician."))
    if technician is None and locked.state == State.PLANNED:
        raise CallError(_("A planned intervention needs its technician."))
    locked.type, locked.requested_date, locked.technician = type, requested_date, technician
    locked.expected_hours = expected_hours
    locked.what_to_bring = what_to_bring.strip()
    locked.save(
        update_fields=[
            "type",
            "requested_date",
            "technician",
            "expected_hours",
            "what_to_bring",
            "version",
            "updated_at",
        ]
    )
    checklist_rules.attach(locked)  # the type's current checklist (issue 21)
    if locked.state == State.NEW:
        locked = transition(intervention=locked, to_state=State.EXPECTED, acting_user=acting_user)
    return locked


@transaction.atomic
def resolve_by_phone(
    *, call: Call, acting_user: User, solution: str, cause: str = ""
) -> Intervention:
    """Close the call on the phone: its new intervention becomes *resolved by phone*.

    The solution is required (and the cause kept when known): they stay on the call, where the
    solutions search finds them for the next operator with a similar problem.
    """
    _require_office(acting_user)
    solution, cause = solution.strip(), cause.strip()
    if not solution:
        raise CallError(_("Say how the problem was solved: the next operator will look for it."))
    locked = Call.objects.select_for_update().get(pk=call.pk)
    intervention = locked.interventions.filter(state=State.NEW).order_by("-number").first()
    if intervention is None:
        raise CallError(_("Only a call whose intervention is still new can be resolved by phone."))
    locked.solution, locked.cause = solution, cause
    locked.save(update_fields=["solution", "cause", "version", "updated_at"])
    transition(
        intervention=intervention,
        to_state=State.RESOLVED_BY_PHONE,
        acting_user=acting_user,
        reason=solution,
    )
    call.status = State.RESOLVED_BY_PHONE
    call.solution, call.cause = solution, cause
    return intervention


def _follow_up_note(previous: Intervention | None, reason: str) -> str:
    """The first note of a follow-up intervention: why it is needed and what the previous
    visit found (its notes, oldest first), so the next technician starts where it stopped."""
    lines = [_("Follow-up: %(reason)s") % {"reason": reason}]
    if previous is None:
        return "\n".join(lines)
    notes = list(previous.notes.order_by("created_at", "pk"))
    if notes:
        lines += ["", _("Notes of %(code)s:") % {"code": previous.code}]
        lines += [f"- {note.get_kind_display()}: {note.text}" for note in notes]
    return "\n".join(lines)[:5000]


@transaction.atomic
def add_follow_up_intervention(*, call: Call, acting_user: User, reason: str) -> Intervention:
    """Add the next intervention to a call whose earlier ones did not solve the problem.

    Refused while another intervention of the call is still open (new ... planned): one visit
    at a time keeps the planner and the call's status unambiguous. The new intervention starts
    with a note giving ``reason`` and the previous intervention's notes.
    """
    _require_office(acting_user)
    reason = reason.strip()
    if not reason:
        raise CallError(_("Say why a follow-up intervention is needed."))
    locked = Call.objects.select_for_update().get(pk=call.pk)  # serialises the numbering
    open_one = locked.interventions.filter(state__in=OPEN_STATES).order_by("number").first()
    if open_one is not None:
        raise CallError(
            _("The call still has an open intervention (%(code)s).") % {"code": open_one.code}
        )
    previous = locked.interventions.order_by("-number").first()
    number = (previous.number if previous else 0) + 1
    intervention = _new_intervention(locked, number, acting_user)
    InterventionNote.objects.create(
        intervention=intervention,
        kind=NoteKind.INTERNAL,
        text=_follow_up_note(previous, reason),
        author=acting_user,
    )
    _refresh_call_status(locked)
    call.status = locked.status
    return intervention


@transaction.atomic
def add_note(
    *, intervention: Intervention, acting_user: User, kind: str, text: str
) -> InterventionNote:
    """Append a note (report, internal note, follow-up needed) with its author and time."""
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not access.may_add_notes(locked, acting_user):
        # Same sentence both ways; only a closed intervention is a state, not a role, refusal.
        closed = locked.state in access.NOTES_CLOSED_STATES
        refusal = CallError if closed else CallRoleRefused
        raise refusal(_("You may not add notes to this intervention."))
    if kind not in NoteKind.values:
        raise CallError(_("Unknown kind of note."))
    if kind == NoteKind.REPORT and not access.may_write_report(locked, acting_user):
        raise CallError(access.frozen_message(locked))
    if not text.strip():
        raise CallError(_("The note is empty."))
    return InterventionNote.objects.create(
        intervention=locked, kind=kind, text=text.strip(), author=acting_user
    )


# --- Section 3: the quote ---------------------------------------------------------------------
@transaction.atomic
def quote_intervention(
    *, intervention: Intervention, price_list: PriceList, acting_user: User
) -> Quote:
    """Build the intervention's quote from ``price_list`` and move it expected -> quoted.

    The quote, the link and the state change are one transaction: a failure in any of them
    leaves neither an orphan quote nor a *quoted* intervention without its quote.
    """
    _require_office(acting_user)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if locked.quote_id is not None:
        raise CallError(_("This intervention already has a quote."))
    if locked.state != State.EXPECTED:
        raise CallError(
            _("Only an expected intervention can be quoted (it is “%(state)s”).")
            % {"state": state_label(locked.state)}
        )
    call = Call.objects.select_related("customer").get(pk=locked.call_id)
    try:
        quote = create_quote_from_price_list(
            customer=call.customer, price_list=price_list, acting_user=acting_user
        )
    except QuoteError as error:
        raise CallError(" ".join(str(m) for m in error.messages)) from error
    locked.quote = quote
    locked.save(update_fields=["quote", "updated_at"])
    transition(intervention=locked, to_state=State.QUOTED, acting_user=acting_user)
    intervention.quote = quote
    intervention.state = locked.state
    return quote


# --- Section 3: a spare-part offer for the call ----------------------------------------------
@transaction.atomic
def create_offer_for_intervention(*, intervention: Intervention, acting_user: User) -> Offer:
    """A draft spare-part offer for the call's customer, site, contact and unit, linked to the
    call and ``intervention``: shown in its section 3, its order's lines offered in section 5,
    and the offer and its order link back to the call."""
    _require_office(acting_user)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    call = Call.objects.select_related("customer", "site", "contact", "unit").get(pk=locked.call_id)
    if call.contact is None:
        raise CallError(_("Choose the call's contact first: the offer is sent to them."))
    try:
        offer = create_draft_offer(
            customer=call.customer,
            site=call.site,
            contact=call.contact,
            unit=call.unit,
            acting_user=acting_user,
        )
    except OfferError as error:
        raise CallError(error.message) from error
    InterventionOffer.objects.create(intervention=locked, offer=offer)
    return offer


@transaction.atomic
def send_intervention_quote(*, intervention: Intervention, acting_user: User) -> Quote:
    """E-mail the intervention's quote to the call's contact for acceptance (``send_quote``)."""
    _require_office(acting_user)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    quote = locked.quote
    if quote is None:
        raise CallError(_("This intervention has no quote yet."))
    call = Call.objects.select_related("contact").get(pk=locked.call_id)
    if call.contact is None:
        raise CallError(_("Choose the call's contact first: the quote is sent to them."))
    try:
        return send_quote(quote=quote, contact=call.contact, acting_user=acting_user)
    except QuoteError as error:
        raise CallError(error.message) from error
