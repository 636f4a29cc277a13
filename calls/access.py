"""Who may do what to calls and interventions, and which ones a user may see.

The one place that answers these questions: services enforce the answers (and raise a
translated ``CallError`` saying why), selectors scope their querysets with them, and views and
templates only display them (the management page asks once, ``allowed_actions``). The roles
and their sets are ``service_portal.roles``.

- The office (administrators and operators) sees every call and intervention; a technician sees
  only the interventions assigned to them, and the calls those belong to (anything else is a
  404: they may not know it exists).
- The lifecycle map ``TRANSITIONS`` says which roles may make each change of state; a
  technician may only move an intervention assigned to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from calls.models import OPEN_STATES, Call, Intervention, NoteKind, State
from orders import access as orders_access
from service_portal.roles import ADMINISTRATORS, FIELD, STAFF, Role, has_role

# from -> to -> roles allowed to make that change. Anything not listed is refused.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    State.NEW: {
        State.EXPECTED: STAFF,  # the intervention section is filled: a visit is needed
        State.RESOLVED_BY_PHONE: STAFF,
        State.CANCELLED: STAFF,
    },
    State.EXPECTED: {
        State.QUOTED: STAFF,  # the quotes app, when a quote is made
        State.PLANNED: STAFF,  # no quote needed (warranty, contract, urgent stop)
        State.CANCELLED: STAFF,
    },
    State.QUOTED: {
        State.PLANNED: STAFF,
        State.EXPECTED: STAFF,  # the quote is dropped and has to be redone
        State.CANCELLED: STAFF,
    },
    State.PLANNED: {
        State.DONE: FIELD,  # the assigned technician (or an administrator on their behalf)
        State.CANCELLED: STAFF,
    },
    State.DONE: {
        State.VERIFIED: ADMINISTRATORS,  # final verification
        State.PLANNED: ADMINISTRATORS,  # sent back to the technician, with a reason
    },
    State.VERIFIED: {
        State.INVOICED: ADMINISTRATORS,
        # Reopened, with a reason: the actuals thaw, a new verification follows.
        State.DONE: ADMINISTRATORS,
    },
    State.INVOICED: {
        # A credit note cancels its lines, with a reason: the work can be invoiced again.
        State.VERIFIED: ADMINISTRATORS,
    },
    State.RESOLVED_BY_PHONE: {},
    State.CANCELLED: {},
}

# Actuals (hours, expenses, parts used, the technician's report) are recorded while the
# intervention is planned: the customer's signature (done) freezes them for everyone until an
# administrator sends it back (done -> planned), which clears the signature (issue 20).
RECORDING_STATES = frozenset({State.PLANNED})
# Done: signed by the customer. Verified: what invoicing will bill is fixed. Invoiced: billed.
FROZEN_STATES = frozenset({State.DONE, State.VERIFIED, State.INVOICED})
# Notes are closed once the intervention is invoiced or cancelled.
NOTES_CLOSED_STATES = frozenset({State.INVOICED, State.CANCELLED})


# --- Who is who -------------------------------------------------------------------------------
def is_office(user: User) -> bool:
    """Administrators and operators (active, signed in): they take, edit and plan calls."""
    return has_role(user, STAFF)


def is_active_technician(user: User) -> bool:
    """Someone an intervention may be assigned to."""
    return bool(user.is_active and user.role == Role.TECHNICIAN)


def is_assigned_or_office(intervention: Intervention, user: User) -> bool:
    """Ownership: a technician acts only on the interventions assigned to them."""
    if user.role == Role.TECHNICIAN:
        return intervention.technician_id == user.pk
    return True


# --- Which records a user may see -------------------------------------------------------------
def visible_interventions(queryset: QuerySet[Intervention], user: User) -> QuerySet[Intervention]:
    """All for the office; their own for a technician."""
    if user.role == Role.TECHNICIAN:
        return queryset.filter(technician=user)
    return queryset


def visible_calls(queryset: QuerySet[Call], user: User) -> QuerySet[Call]:
    """All for the office; for a technician the calls with an intervention assigned to them."""
    if user.role == Role.TECHNICIAN:
        return queryset.filter(interventions__technician=user).distinct()
    return queryset


# --- What a user may do to a record -----------------------------------------------------------
def may_open_call(user: User) -> bool:
    return is_office(user)


def call_is_editable(call: Call) -> bool:
    """A call's data may change while it is open (new ... planned)."""
    return call.status in OPEN_STATES


def may_edit_call(call: Call, user: User) -> bool:
    return is_office(user) and call_is_editable(call)


def may_edit_intervention(intervention: Intervention, user: User) -> bool:
    """The intervention section: the office, while the intervention is open."""
    return is_office(user) and intervention.state in OPEN_STATES


def role_may_move(user: User, from_state: str, to_state: str) -> bool:
    """The map allows the change and ``user``'s role may make it (ownership not included)."""
    roles = TRANSITIONS.get(from_state, {}).get(to_state)
    return roles is not None and has_role(user, roles)


def may_move(intervention: Intervention, user: User, to_state: str) -> bool:
    """Role and ownership (the preconditions are the service's: it says what is missing)."""
    return role_may_move(user, intervention.state, to_state) and is_assigned_or_office(
        intervention, user
    )


def allowed_targets(intervention: Intervention, user: User) -> list[str]:
    """The states ``user`` may move ``intervention`` to (role and ownership)."""
    return [
        to_state
        for to_state in TRANSITIONS[intervention.state]
        if may_move(intervention, user, to_state)
    ]


def may_resolve_by_phone(intervention: Intervention, user: User) -> bool:
    return is_office(user) and intervention.state == State.NEW


def may_add_follow_up(call: Call, user: User) -> bool:
    """Another visit on the same call, once none of its interventions is open."""
    return is_office(user) and call.status not in OPEN_STATES


def may_add_notes(intervention: Intervention, user: User) -> bool:
    if intervention.state in NOTES_CLOSED_STATES:
        return False
    if user.role == Role.TECHNICIAN:
        return intervention.technician_id == user.pk
    return user.role in STAFF


def may_write_report(intervention: Intervention, user: User) -> bool:
    """The technician's report (work notes) is part of what the customer signs: frozen with
    the hours, expenses and parts from the signature until the intervention is sent back."""
    return may_add_notes(intervention, user) and intervention.state not in FROZEN_STATES


def note_kinds(intervention: Intervention, user: User) -> list[str]:
    """The kinds of note ``user`` may add now (internal notes stay open after the signature)."""
    if not may_add_notes(intervention, user):
        return []
    if may_write_report(intervention, user):
        return list(NoteKind.values)
    return [kind for kind in NoteKind.values if kind != NoteKind.REPORT]


def frozen_message(intervention: Intervention) -> str:
    """Why the hours, expenses, parts and report of ``intervention`` cannot change ("" when
    they can)."""
    if intervention.state == State.INVOICED:
        return _("The intervention is invoiced: its actuals can no longer be changed.")
    if intervention.state == State.VERIFIED:
        return _(
            "The intervention is verified: its hours, expenses and parts are frozen. An "
            "administrator can send it back, then it needs a new verification."
        )
    if intervention.state == State.DONE:
        return _(
            "The customer signed this intervention: its hours, expenses, parts and report are "
            "frozen. An administrator can send it back to the technician to correct them."
        )
    return ""


def may_quote(intervention: Intervention, user: User) -> bool:
    """The office builds the quote of an expected intervention that has none."""
    return (
        is_office(user) and intervention.quote_id is None and intervention.state == State.EXPECTED
    )


def may_record(intervention: Intervention, user: User) -> bool:
    """The assigned technician and the office record actuals while the intervention is planned
    (after the visit is planned, until the customer signs)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if intervention.state not in RECORDING_STATES:
        return False
    if user.role == Role.TECHNICIAN:
        return intervention.technician_id == user.pk
    return user.role in STAFF


def may_complete(intervention: Intervention, user: User) -> bool:
    """The customer signs a planned intervention with its technician (or an administrator)."""
    return (
        intervention.state == State.PLANNED
        and has_role(user, FIELD)
        and is_assigned_or_office(intervention, user)
    )


@dataclass(frozen=True)
class InterventionActions:
    """Everything the management page may offer ``user`` on one intervention, asked once."""

    edit_call: bool
    edit_intervention: bool
    targets: tuple[str, ...]
    resolve_by_phone: bool
    follow_up: bool
    add_notes: bool
    quote: bool
    record: bool
    complete: bool
    create_offer: bool  # a spare-part offer for the call's customer (``orders.access``)


def allowed_actions(intervention: Intervention, user: User) -> InterventionActions:
    call = intervention.call
    return InterventionActions(
        edit_call=may_edit_call(call, user),
        edit_intervention=may_edit_intervention(intervention, user),
        targets=tuple(allowed_targets(intervention, user)),
        resolve_by_phone=may_resolve_by_phone(intervention, user),
        follow_up=may_add_follow_up(call, user),
        add_notes=may_add_notes(intervention, user),
        quote=may_quote(intervention, user),
        record=may_record(intervention, user),
        complete=may_complete(intervention, user),
        create_offer=orders_access.may_sell(user),
    )
