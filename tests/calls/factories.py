"""Builders for calls and interventions (they go through the services, like the pages do)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from accounts.models import Role, User
from calls import services
from calls.models import Call, Intervention, InterventionType, State
from customers.models import Unit
from tests.factories import make_contact, make_unit, make_user

_seq = itertools.count(1)


def make_intervention_type(**fields: Any) -> InterventionType:
    n = next(_seq)
    fields.setdefault("code", f"type-{n}")
    fields.setdefault("name_en", f"Repair {n}")
    fields.setdefault("name_it", f"Riparazione {n}")
    return InterventionType.objects.create(**fields)


def make_call(
    *, by: User | None = None, unit: Unit | None = None, with_contact: bool = True, **fields: Any
) -> Call:
    by = by or make_user(None, Role.OPERATOR)
    unit = unit or make_unit()
    site = unit.site
    contact = make_contact(site.customer, site=site) if with_contact else None
    fields.setdefault("description", "The machine stops with error E42.")
    return services.create_call(
        acting_user=by,
        customer=site.customer,
        site=site,
        contact=contact,
        unit=unit,
        **fields,
    )


def first_intervention(call: Call) -> Intervention:
    return call.interventions.get(number=1)


def make_intervention(
    state: str = State.NEW,
    *,
    technician: User | None = None,
    call: Call | None = None,
    requested_date: datetime.date | None = None,
) -> Intervention:
    """An intervention forced into ``state`` with its data filled (for tests of what follows)."""
    call = call or make_call()
    intervention = first_intervention(call)
    intervention.type = make_intervention_type()
    intervention.requested_date = requested_date or datetime.date(2026, 12, 1)
    intervention.technician = technician
    intervention.state = state
    intervention.save()
    Call.objects.filter(pk=call.pk).update(status=state)
    return intervention


def make_expected_call(
    *, by: User, technician: User | None = None, type: InterventionType | None = None
) -> Call:
    """A call whose first intervention has its section filled (expected), through the service."""
    call = make_call(by=by)
    services.fill_intervention_section(
        intervention=first_intervention(call),
        acting_user=by,
        version=None,
        type=type or make_intervention_type(),
        requested_date=datetime.date(2026, 4, 1),
        technician=technician,
    )
    return call


def plan_with_visit(intervention: Intervention, by: User) -> Intervention:
    """Plan ``intervention`` the only way there is: a visit (tomorrow) on the planner."""
    from django.utils import timezone

    from planner import services as planner_services

    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=1)
    planner_services.plan_intervention(
        intervention=intervention,
        technician=intervention.technician,
        start=start,
        end=start + datetime.timedelta(hours=2),
        acting_user=by,
        confirm=True,
    )
    intervention.refresh_from_db()
    return intervention
