"""Reads: the querysets of the pages (fixed query counts), scoped by ``calls.access``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from calls import access
from calls.models import (
    OPEN_STATES,
    Call,
    Expense,
    ExpenseKind,
    Intervention,
    InterventionNote,
    InterventionOffer,
    InterventionTransition,
    PartUsed,
    SignedReport,
    State,
)
from calls.services.actuals import call_orders, unit_under_warranty, warranty_date
from contracts.models import Contract
from customers.models import Unit
from orders.models import Offer, OfferState, OrderLine, SparePart
from quotes.models import PriceList, Quote
from quotes.selectors import quoted_quantities
from quotes.services import price_lists_for
from service_portal import idempotency
from service_portal.roles import Role
from stock.models import Warehouse, WarehouseKind

RELATED = (
    "call",
    "call__customer",
    "call__site",
    "call__contact",
    "call__unit",
    "call__unit__product",
    "call__contract",
    "type",
    "technician",
)


def interventions_for(user: User) -> QuerySet[Intervention]:
    """The interventions ``user`` may know exist: all for the office, their own for a technician."""
    return access.visible_interventions(Intervention.objects.select_related(*RELATED), user)


def get_intervention_for(user: User, call_pk: int, number: int) -> Intervention:
    """One intervention for ``user``, or 404 (also when it exists but is someone else's)."""
    try:
        return interventions_for(user).get(call_id=call_pk, number=number)
    except Intervention.DoesNotExist:
        raise Http404 from None


def get_call_for(user: User, call_pk: int) -> Call:
    """The call, if ``user`` may see at least one of its interventions (404 otherwise)."""
    queryset = access.visible_calls(Call.objects.select_related("customer"), user)
    try:
        return queryset.get(pk=call_pk)
    except Call.DoesNotExist:
        raise Http404 from None


def latest_number_for(user: User, call: Call) -> int:
    numbers = interventions_for(user).filter(call=call).order_by("-number")
    number = numbers.values_list("number", flat=True).first()
    if number is None:
        raise Http404
    return number


def in_order(queryset: QuerySet, *fields: str) -> list:
    """The rows of ``queryset`` sorted here by ``fields``, attributes that are numbers, dates or
    times and never NULL (text is left to the database: its collation is not Python's).

    For the few rows of one job only: Django 5.2 compiles an ORDER BY by hashing every selected
    column (to order by position), which costs a wide row, or one with its author, more than
    sorting the rows in Python."""
    return sorted(queryset.order_by(), key=attrgetter(*fields))


def management_data(intervention: Intervention, user: User) -> dict:
    """What the management page shows besides the intervention itself (a fixed set of queries)."""
    siblings = access.visible_interventions(
        Intervention.objects.filter(call_id=intervention.call_id).order_by("number"), user
    )
    notes = InterventionNote.objects.filter(intervention=intervention).select_related("author")
    history = InterventionTransition.objects.filter(intervention=intervention).select_related("by")
    quote_part = quote_data(intervention, user)
    # The models' orderings, sorted here (in_order).
    changes = in_order(history, "at", "pk")
    return {
        # the planned visits (the planner's activities, through the reverse relation)
        "visits": in_order(intervention.activities.all(), "start", "pk"),
        "siblings": list(siblings.only("pk", "call_id", "number", "code", "state")),
        "notes": in_order(notes, "created_at", "pk"),
        "history": changes,
        "send_back_reason": send_back_reason(intervention, changes),
        # by number (the model's ordering starts with the intervention, always this one)
        "signed_reports": in_order(
            SignedReport.objects.filter(intervention=intervention).select_related("superseded_by"),
            "number",
        ),
        **quote_part,
        **actuals_data(intervention, user, quote_part["quote"]),
    }


def offered_price_lists(intervention: Intervention) -> list[PriceList]:
    """The price lists the quote may be built from, best first (warranty first when covered)."""
    return price_lists_for(
        intervention.call.customer,
        warranty_date(intervention),
        unit_under_warranty(intervention),
    )


def quote_data(intervention: Intervention, user: User) -> dict:
    """Section 3: the quote (lines prefetched: the summary partial runs no query) or the lists
    it may be built from."""
    quote = None
    if intervention.quote_id is not None:
        quote = Quote.objects.prefetch_related("lines").get(pk=intervention.quote_id)
    can_quote = access.may_quote(intervention, user)
    return {
        "quote": quote,
        "can_quote": can_quote,
        "price_lists": offered_price_lists(intervention) if can_quote else [],
        "under_warranty": unit_under_warranty(intervention),
        "call_offers": call_offers(intervention) if access.is_office(user) else [],
    }


def call_offers(intervention: Intervention) -> list[Offer]:
    """The spare-part offers created from this call, each in its latest revision, with its
    order (one query)."""
    codes = (
        InterventionOffer.objects.filter(intervention__call_id=intervention.call_id)
        .values("offer__code")
        .order_by()  # a set: its order is nothing to IN (and costs compiling)
    )
    offers = (
        Offer.objects.filter(code__in=codes)
        .exclude(state=OfferState.SUPERSEDED)
        .select_related("order")
    )
    return in_order(offers, "created_at", "pk")


def order_lines_for(intervention: Intervention) -> list[OrderLine]:
    """The lines of the call's orders, each with ``left``: the quantity not yet recorded as
    used (one query)."""
    used = (
        PartUsed.objects.filter(order_line=OuterRef("pk"))
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    lines = (
        OrderLine.objects.filter(order__in=call_orders(intervention.call_id))
        .exclude(spare_part=None)
        .select_related("order")
        .annotate(used=Coalesce(Subquery(used), Value(Decimal(0)), output_field=DecimalField()))
        .order_by("order__code", "position", "pk")
    )
    result: list[OrderLine] = []
    for line in idempotency.with_tokens(lines):
        line.left = line.quantity - line.used  # type: ignore[attr-defined]
        result.append(line)
    return result


def history_for(user: User, **filters: Any) -> QuerySet[Intervention]:
    """Interventions of a unit or a customer, newest call first (the installed-base pages)."""
    return (
        interventions_for(user)
        .filter(**filters)
        .order_by("-call__received_at", "-call_id", "-number")
    )


OPEN_CALLS_SHOWN = 5


def open_calls_of_unit(unit_id: Any) -> list[Call]:
    """The unit's calls still waiting for work (new ... planned), newest first: intake warns of
    them (a second call about the same machine is often the same problem)."""
    if not str(unit_id or "").isdecimal() or len(str(unit_id)) > 18:  # not a key: no unit
        return []
    return list(
        Call.objects.filter(unit_id=int(unit_id), status__in=OPEN_STATES).order_by(
            "-received_at", "-pk"
        )[:OPEN_CALLS_SHOWN]
    )


def contract_of_unit(unit_id: Any) -> Contract | None:
    """The service contract covering the unit today (or its site), with its targets: intake
    shows it, the call gets it when created (``sla.find_contract``)."""
    if not str(unit_id or "").isdecimal() or len(str(unit_id)) > 18:
        return None
    unit = Unit.objects.filter(pk=int(unit_id)).select_related("site").first()
    if unit is None:
        return None
    return Contract.objects.covering(unit, unit.site, timezone.localdate())


def send_back_reason(intervention: Intervention, history: list[InterventionTransition]) -> str:
    """Why the administrator sent ``intervention`` back, while it waits for the technician."""
    if intervention.state != State.PLANNED:
        return ""
    for change in reversed(history):
        if change.from_state == State.DONE and change.to_state == State.PLANNED:
            return change.reason
    return ""


def _sent_back_reason_subquery() -> Subquery:
    """The latest send-back reason of each intervention (the home list reads it in its query)."""
    return Subquery(
        InterventionTransition.objects.filter(
            intervention=OuterRef("pk"), from_state=State.DONE, to_state=State.PLANNED
        )
        .order_by("-at", "-pk")
        .values("reason")[:1]
    )


def my_interventions(user: User) -> QuerySet[Intervention]:
    """A technician's to-do list: open interventions assigned to them, the next visit first
    (then those not planned yet, by requested date), with their planned visits (the planner's
    activities, read through the reverse relation: one query for the page).

    A planned one that was sent back carries ``send_back_reason`` (shown on its card)."""
    return (
        Intervention.objects.select_related(*RELATED)
        .annotate(
            send_back_reason=Case(
                When(state=State.PLANNED, then=_sent_back_reason_subquery()),
                default=Value(""),
                output_field=TextField(),
            )
        )
        .filter(technician=user, state__in=OPEN_STATES)
        .annotate(next_visit=Min("activities__start"))
        .prefetch_related("activities")
        .order_by(
            F("next_visit").asc(nulls_last=True),
            F("requested_date").asc(nulls_last=True),
            "call__received_at",
            "pk",
        )
    )


@dataclass(frozen=True)
class Section:
    """One of the six sections of the management page, as the template needs it."""

    key: str
    title: str | Promise
    template: str
    blocked: str | Promise = ""  # why it cannot be used yet (empty: usable)
    editable: bool = False


DONE_OR_LATER = {State.DONE, State.VERIFIED, State.INVOICED}
AFTER_VISIT_STATES = {State.PLANNED, *DONE_OR_LATER}


def sections(intervention: Intervention, user: User, *, call_editable: bool) -> list[Section]:
    """The six sections in their fixed order, each with its precondition and the edit right
    ``calls.access`` gives ``user``."""
    state = intervention.state
    closed_without_visit = state in (State.RESOLVED_BY_PHONE, State.CANCELLED)

    def after_visit_block(what: str | Promise) -> str | Promise:
        if closed_without_visit:
            return _("There was no visit: the intervention is “%(state)s”.") % {
                "state": intervention.get_state_display()
            }
        if state not in AFTER_VISIT_STATES:
            return what
        return ""

    intervention_block: str | Promise
    quote_block: str | Promise
    if closed_without_visit:
        intervention_block = _("No on-site visit: the intervention is “%(state)s”.") % {
            "state": intervention.get_state_display()
        }
        quote_block = _("No quote: the intervention is “%(state)s”.") % {
            "state": intervention.get_state_display()
        }
    else:
        intervention_block = ""
        quote_block = (
            _("The quote needs the intervention data: fill in the intervention section first.")
            if state == State.NEW
            else ""
        )
    return [
        Section(
            "call",
            _("Call"),
            "calls/sections/call.html",
            "",
            call_editable and access.is_office(user),
        ),
        Section(
            "intervention",
            _("Intervention"),
            "calls/sections/intervention.html",
            intervention_block,
            access.may_edit_intervention(intervention, user),
        ),
        Section("quote", _("Quote"), "calls/sections/quote.html", quote_block),
        Section(
            "hours",
            _("Hours"),
            "calls/sections/hours.html",
            after_visit_block(
                _("Hours are recorded after the visit: plan the intervention first.")
            ),
        ),
        Section(
            "parts",
            _("Parts"),
            "calls/sections/parts.html",
            after_visit_block(
                _("Parts used are recorded after the visit: plan the intervention first.")
            ),
        ),
        Section("notes", pgettext_lazy("management section", "Notes"), "calls/sections/notes.html"),
    ]


@dataclass(frozen=True)
class Comparison:
    """One quoted line kind next to what was actually done."""

    label: str | Promise
    unit: str
    quoted: Decimal | None
    actual: Decimal

    @property
    def difference(self) -> Decimal | None:
        return None if self.quoted is None else self.actual - self.quoted


def comparisons(
    intervention: Intervention, quote: Quote | None, expenses: list[Expense] | None = None
) -> list[Comparison]:
    """Quoted vs actual labour hours, travel hours (time entries) and km (expenses; summed
    from ``expenses`` when the caller has read them already)."""
    quoted = quoted_quantities(quote) if quote is not None else {}
    # Reached through the reverse relation: calls sits below the planner and cannot import it.
    hours = dict(
        intervention.time_entries.filter(kind__in=["labour", "travel"])
        .values("kind")
        .annotate(total=Sum("hours"))
        .values_list("kind", "total")
    )
    if expenses is None:
        km = Expense.objects.filter(intervention=intervention, kind=ExpenseKind.KM).aggregate(
            total=Sum("km")
        )["total"]
    else:
        kms = [e.km for e in expenses if e.kind == ExpenseKind.KM and e.km is not None]
        km = sum(kms, Decimal(0)) if kms else None
    nothing = Decimal(0)
    return [
        Comparison(
            _("Labour hours"), "h", quoted.get("labour_hour"), hours.get("labour") or nothing
        ),
        Comparison(
            _("Travel hours"), "h", quoted.get("travel_hour"), hours.get("travel") or nothing
        ),
        Comparison(_("Kilometres"), "km", quoted.get("km"), km or nothing),
    ]


def actuals_data(intervention: Intervention, user: User, quote: Quote | None) -> dict:
    """Sections 4 and 5: expenses, parts used and the quoted-vs-actual figures."""
    if intervention.state not in AFTER_VISIT_STATES:
        return {"expenses": [], "parts_used": [], "comparisons": [], "can_record": False}
    # The models' orderings, sorted here (in_order).
    expenses = in_order(Expense.objects.filter(intervention=intervention), "date", "pk")
    can_record = access.may_record(intervention, user)
    return {
        "expenses": expenses,
        "parts_used": in_order(PartUsed.objects.filter(intervention=intervention), "pk"),
        "comparisons": comparisons(intervention, quote, expenses),
        "can_record": can_record,
        "frozen_reason": access.frozen_message(intervention),
        "order_lines": order_lines_for(intervention) if can_record else [],
    }


PART_SEARCH_LIMIT = 20


def search_spare_parts(intervention: Intervention, q: str) -> list[SparePart]:
    """Active catalogue parts by code or description, those fitting the unit's product first."""
    q = q.replace("\x00", "").strip()[:100]
    if len(q) < 2:
        return []
    unit = intervention.call.unit
    queryset = SparePart.objects.filter(is_active=True).filter(
        Q(code__icontains=q) | Q(description__icontains=q)
    )
    if unit is not None:
        fits = SparePart.products.through.objects.filter(
            sparepart_id=OuterRef("pk"), product_id=unit.product_id
        )
        queryset = queryset.annotate(fits=Exists(fits)).order_by("-fits", "code")
    else:
        queryset = queryset.order_by("code")
    return list(queryset[:PART_SEARCH_LIMIT])


def stock_sources(user: Any) -> list[Any]:
    """The warehouses a part used may be taken from besides the technician's van (the default):
    the central and branch warehouses, and for the office every van too."""
    sources = Warehouse.objects.filter(is_active=True).select_related("technician")
    if user.role == Role.TECHNICIAN:
        sources = sources.exclude(kind=WarehouseKind.VAN)
    return list(sources.order_by("kind", "code"))
