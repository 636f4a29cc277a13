"""The rows of the call search (``/calls/``): plain values, shown by calls/call_search.html.

A page of 25 interventions read as model instances (each with its call, customer, site, unit and
product joined, the types and technicians prefetched) cost 8-12.5 ms of CPU at scale 100, the
same columns read with ``values()`` about 4.5 ms (docs/operations.md). A row here holds what its
cells show and nothing else. What is the same for every row is looked up once a page: the
choices' labels in the reader's language, the names of the page's intervention types and
technicians (two small queries, as the prefetches were), and the link, reversed once and
filled with each row's ids.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from accounts.models import User
from calls.models import Call, Intervention, InterventionType
from service_portal.choices import choice_labels
from service_portal.links import ID_MARKERS, url_pattern

# What the page reads of each intervention (one query, the call, customer and site joined, the
# unit and its product left-joined). The names are those of the search's sorts (calls.filters
# SORTS): a page link carries the sort values of the row next to it, read from these.
ROW_FIELDS = (
    "pk",
    "number",
    "code",
    "state",
    "requested_date",
    "type",
    "technician",
    "call",
    "call__received_at",
    "call__customer__name",
    "call__site__name",
    "call__unit",
    "call__unit__serial_number",
    "call__unit__product__code",
    "call__status",
    "call__priority",
    "call__sla_due",
    "call__sla_warn_at",
    "call__waiting_for_customer",
)


@dataclass(frozen=True, slots=True)
class CallRow:
    """One intervention as its row shows it: texts ready to print, dates left to the template
    (formatted in the reader's language and time zone)."""

    pk: int
    code: str
    url: str  # its management page
    received_at: datetime.datetime
    customer: str
    site: str
    has_unit: bool
    serial_number: str
    product: str
    type: str  # "" when not chosen yet
    state: str
    state_label: str
    status: str  # the call's
    status_label: str
    technician: str  # "" when not assigned
    requested_date: datetime.date | None
    priority: str
    priority_label: str
    sla_due: datetime.datetime | None
    sla_warn_at: datetime.datetime | None
    waiting_for_customer: bool


def _names(
    model: type[Model], ids: Iterable[int | None], known: Iterable[Model] | None = None
) -> dict[int, str]:
    """{id: str(record)} of the records with these ids (no query when there are none). ``known``:
    records the page reads anyway (a filter bar's choices), used first; the others are read."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    names = {}
    if known is not None:
        names = {record.pk: str(record) for record in known}
        wanted -= names.keys()
        if not wanted:
            return names
    return names | {
        record.pk: str(record) for record in model._default_manager.filter(pk__in=wanted)
    }


def call_rows(
    page: Iterable[dict[str, Any]],
    every_type: Iterable[InterventionType] | None = None,
    technicians: Iterable[User] | None = None,
) -> list[CallRow]:
    """The rows of a page of ``values(*ROW_FIELDS)`` of the interventions, in the page's order.
    ``every_type``, ``technicians``: the filter bar's choices (every intervention type, the
    active technicians), which the page reads anyway: the rows' names come from them, and only
    a technician not among them (no longer active) is read for the rows."""
    page = list(page)
    types = _names(InterventionType, (values["type"] for values in page), every_type)
    technician_names = _names(User, (values["technician"] for values in page), technicians)
    states = choice_labels(Intervention._meta.get_field("state"))
    statuses = choice_labels(Call._meta.get_field("status"))
    priorities = choice_labels(Call._meta.get_field("priority"))
    link = url_pattern("calls:manage", *ID_MARKERS[:2])  # "/calls/{0}/interventions/{1}/"
    return [
        CallRow(
            pk=values["pk"],
            code=values["code"],
            url=link.format(values["call"], values["number"]),
            received_at=values["call__received_at"],
            customer=values["call__customer__name"],
            site=values["call__site__name"],
            has_unit=values["call__unit"] is not None,
            serial_number=values["call__unit__serial_number"] or "",
            product=values["call__unit__product__code"] or "",
            type=types.get(values["type"], ""),
            state=values["state"],
            state_label=states.get(values["state"], values["state"]),
            status=values["call__status"],
            status_label=statuses.get(values["call__status"], values["call__status"]),
            technician=technician_names.get(values["technician"], ""),
            requested_date=values["requested_date"],
            priority=values["call__priority"],
            priority_label=priorities.get(values["call__priority"], values["call__priority"]),
            sla_due=values["call__sla_due"],
            sla_warn_at=values["call__sla_warn_at"],
            waiting_for_customer=values["call__waiting_for_customer"],
        )
        for values in page
    ]
