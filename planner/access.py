"""Who may do what on the planners and the hours worked, and which records a user may see.

The one place that answers these questions for the planner: services enforce the answers
(raising a translated ``PlannerError``), selectors scope their querysets with them (a record a
user may not know exists is a 404), views and templates only display them. The roles and their
sets are ``service_portal.roles``; who may act on an intervention is ``calls.access``.

- The office (administrators and operators) plans everyone and sees every planner; a technician
  sees and manages their own planner, except interventions, which the office plans.
- Hours belong to one person: they record their own, an administrator records (and sees)
  anyone's. Entries of an invoiced intervention are frozen.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from calls.access import FROZEN_STATES
from calls.models import Intervention
from planner.models import Activity, ActivityKind, TimeEntry
from service_portal.roles import ADMINISTRATORS, STAFF, Role, has_role


# --- Who is who -------------------------------------------------------------------------------
def is_office(user: User) -> bool:
    """Administrators and operators: they plan everyone."""
    return has_role(user, STAFF)


def is_administrator(user: User) -> bool:
    return has_role(user, ADMINISTRATORS)


def is_planned_technician(user: User) -> bool:
    """Someone who may appear on the planner: an active technician."""
    return bool(user.is_active and user.role == Role.TECHNICIAN)


# --- Which records a user may see -------------------------------------------------------------
def may_see_planner_of(user: User, technician_pk: int) -> bool:
    """The office opens any technician's planner; a technician only their own."""
    return is_office(user) or user.pk == technician_pk


def visible_activities(queryset: QuerySet[Activity], user: User) -> QuerySet[Activity]:
    if is_office(user):
        return queryset
    return queryset.filter(technician=user)


def may_see_hours_of(user: User, person_pk: int) -> bool:
    """Whose hours ``user`` may look at: their own, or (administrator) anyone's."""
    return user.pk == person_pk or user.role == Role.ADMINISTRATOR


def visible_time_entries(queryset: QuerySet[TimeEntry], user: User) -> QuerySet[TimeEntry]:
    if user.role == Role.ADMINISTRATOR:
        return queryset
    return queryset.filter(user=user)


def visible_interventions_for_hours(
    queryset: QuerySet[Intervention], user: User
) -> QuerySet[Intervention]:
    """The office sees every intervention's hours; a technician only those assigned to them."""
    if is_office(user):
        return queryset
    return queryset.filter(technician=user)


# --- What a user may do -----------------------------------------------------------------------
def may_plan_interventions(user: User) -> bool:
    """Interventions are planned (and their activities moved) by the office."""
    return is_office(user)


def may_manage_activity(acting_user: User, technician: User, kind: str) -> bool:
    """The office manages every activity; a technician their own ones that are not visits."""
    if is_office(acting_user):
        return True
    return bool(
        acting_user.is_active
        and acting_user.pk == technician.pk
        and kind != ActivityKind.INTERVENTION
    )


def may_record_hours_for(acting_user: User, person: User) -> bool:
    """People record their own hours; an administrator records anyone's."""
    if not (acting_user.is_authenticated and acting_user.is_active):
        return False
    return acting_user.pk == person.pk or acting_user.role == Role.ADMINISTRATOR


def may_book_hours_on(intervention: Intervention, acting_user: User, person: User) -> bool:
    """Hours of ``person`` on ``intervention``: its technician's; anyone's by an administrator."""
    return acting_user.role == Role.ADMINISTRATOR or intervention.technician_id == person.pk


def may_add_hours_to(intervention: Intervention, user: User) -> bool:
    """The hours section of an intervention offers its form to an administrator and to the
    assigned technician until the customer signs (the signature freezes the hours until an
    administrator sends the intervention back; verification and invoicing keep them frozen)."""
    return intervention.state not in FROZEN_STATES and (
        user.role == Role.ADMINISTRATOR or intervention.technician_id == user.pk
    )


def hours_person(intervention: Intervention, user: User) -> User | None:
    """Whose hours the section records: an administrator's go to the assigned technician."""
    return intervention.technician if user.role == Role.ADMINISTRATOR else user
