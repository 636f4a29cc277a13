"""The figures of the monitoring dashboard, each computed by aggregate queries in the database.

Nothing here loads rows into Python to count them: every figure is a ``COUNT``/``SUM``/``AVG``
with ``GROUP BY`` where needed, so the dashboard runs the same number of queries and stays fast
on years of data. The definitions are written out for users in docs/dashboard.md; keep the two
in step.

Two kinds of figures:

- *Now* (workload): open calls by state, interventions on the planner today and this week,
  unplanned and overdue interventions. They describe the present, so the period is ignored;
  customer, technician and intervention type still apply.
- *Period*: everything else, for the calls received in the chosen period (or, for the
  technicians' activity, the hours, visits and completions dated in it).

A call matches the technician / intervention type filters when at least one of its
interventions does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Avg,
    CharField,
    Count,
    DurationField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, NullIf, Rank
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from modeltranslation import settings as mt_settings
from modeltranslation.utils import build_localized_fieldname

from accounts.models import User
from calls.models import (
    CLOSED_STATES,
    Call,
    CallDayProduct,
    CallDayStamp,
    CallDaySummary,
    CallDayTotal,
    Intervention,
    InterventionTransition,
    InterventionType,
    OpenCallCount,
    State,
)
from customers.models import Customer
from dashboard.stamps import NAMES_DAY
from planner.models import Activity, ActivityKind, DayHours, TimeEntry, WorkKind
from planner.services import PLANNABLE_STATES
from quotes.models import QuoteLine, RateKind
from service_portal.roles import Role

TOP = 10  # rows in the "top units / products" tables
# The field work is over: the intervention was completed by the technician (and maybe later
# verified and invoiced).
FINISHED_STATES = frozenset({State.DONE, State.VERIFIED, State.INVOICED})
# Field work still lies ahead (a subset of calls.models.OPEN_STATES, same values).
TO_DO_STATES = frozenset({State.NEW, State.EXPECTED, State.QUOTED, State.PLANNED})
# Open call states in the order of the lifecycle, for the chart and the table.
OPEN_CALL_STATES = [state for state in State if state not in CLOSED_STATES]


def _hours_sum(value: Decimal | float | None) -> Decimal:
    """A sum of hours as a Decimal with two places (SQLite hands sums of decimals back with
    whatever precision; PostgreSQL with the column's)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Filters:
    """What the user chose: a period (both days included) and optional narrowing."""

    date_from: datetime.date
    date_to: datetime.date
    customer: Customer | None = None
    technician: User | None = None
    intervention_type: InterventionType | None = None

    @property
    def start(self) -> datetime.datetime:
        return _midnight(self.date_from)

    @property
    def end(self) -> datetime.datetime:
        """The instant after the period (midnight after ``date_to``), exclusive."""
        return _midnight(self.date_to + datetime.timedelta(days=1))


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _intervention_q(filters: Filters, prefix: str = "", *, technician: bool = True) -> Q:
    """The customer / technician / type conditions on an intervention reached via ``prefix``.

    ``technician=False`` leaves the technician out, for records that have their own person
    (a planner visit's technician, a time entry's author).
    """
    q = Q()
    if filters.customer is not None:
        q &= Q(**{f"{prefix}call__customer": filters.customer})
    if technician and filters.technician is not None:
        q &= Q(**{f"{prefix}technician": filters.technician})
    if filters.intervention_type is not None:
        q &= Q(**{f"{prefix}type": filters.intervention_type})
    return q


def _calls(filters: Filters) -> QuerySet[Call]:
    calls = Call.objects.all()
    if filters.customer is not None:
        calls = calls.filter(customer=filters.customer)
    narrowing = {}
    if filters.technician is not None:
        narrowing["technician"] = filters.technician
    if filters.intervention_type is not None:
        narrowing["type"] = filters.intervention_type
    if narrowing:
        calls = calls.filter(Exists(Intervention.objects.filter(call=OuterRef("pk"), **narrowing)))
    return calls


def _period_calls(filters: Filters) -> QuerySet[Call]:
    # A range of instants, not a __date lookup, so the index on received_at serves it.
    return _calls(filters).filter(received_at__gte=filters.start, received_at__lt=filters.end)


def _visits(filters: Filters) -> QuerySet[Activity]:
    """Planner visits (activities of kind intervention); the technician is the visit's own."""
    visits = Activity.objects.filter(
        _intervention_q(filters, "intervention__", technician=False),
        kind=ActivityKind.INTERVENTION,
    )
    if filters.technician is not None:
        visits = visits.filter(technician=filters.technician)
    return visits


# --- Now ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


def _summaries(filters: Filters) -> QuerySet[CallDaySummary] | QuerySet[CallDayTotal]:
    """The daily call summary rows for the filters (calls.summaries): a customer's own rows
    with a customer filter, else the totals of all customers (a few rows a day); the rows per
    type, per technician or per both when the filters name them, each call counted once in
    them."""
    if filters.customer is None:
        return CallDayTotal.objects.filter(
            type_key=_key(filters.intervention_type), technician_key=_key(filters.technician)
        )
    rows = CallDaySummary.objects.filter(
        customer=filters.customer,
        by_type=filters.intervention_type is not None,
        by_technician=filters.technician is not None,
    )
    if filters.intervention_type is not None:
        rows = rows.filter(type=filters.intervention_type)
    if filters.technician is not None:
        rows = rows.filter(technician=filters.technician)
    return rows


def _key(chosen: Customer | User | InterventionType | None) -> int:
    """A filter as the summaries' key: the id, 0 for "any"."""
    return 0 if chosen is None else chosen.pk


def open_calls_by_state(filters: Filters) -> list[StateCount]:
    """Calls not closed (closed: invoiced, resolved by phone, cancelled), by their status.

    Read from the open call counts (calls.summaries: one row per status for the filters'
    customer, type and technician, "any" included) rather than counted over the calls.
    """
    counts = dict(
        OpenCallCount.objects.filter(
            customer_key=_key(filters.customer),
            type_key=_key(filters.intervention_type),
            technician_key=_key(filters.technician),
        ).values_list("status", "calls")
    )
    return [StateCount(s.value, str(s.label), counts.get(s.value, 0)) for s in OPEN_CALL_STATES]


@dataclass(frozen=True)
class Workload:
    today: int
    this_week: int
    unplanned: int
    overdue: int


def week_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def workload(filters: Filters, today: datetime.date | None = None) -> Workload:
    """Interventions on the planner today / this week, waiting for the planner, overdue.

    - today / this week: distinct interventions with a planner visit overlapping the day or
      the week (Monday to Sunday);
    - unplanned: expected or quoted, i.e. waiting for the planner (as on the planner board);
    - overdue: the field work is not done (new, expected, quoted, planned) and either the
      requested date is before today, or the intervention is planned and none of its visits
      ends after the start of today (the visit went by and nobody completed it).
    """
    today = today or timezone.localdate()
    day_start, day_end = _midnight(today), _midnight(today + datetime.timedelta(days=1))
    monday, sunday = week_bounds(today)
    week_start, week_end = _midnight(monday), _midnight(sunday + datetime.timedelta(days=1))

    visits = _visits(filters).filter(start__lt=week_end, end__gt=week_start)
    planned = visits.aggregate(
        week=Count("intervention", distinct=True),
        today=Count(
            "intervention",
            distinct=True,
            filter=Q(start__lt=day_end, end__gt=day_start),
        ),
    )
    # The interventions with a visit still ahead, read once (activity_visit_end_idx: visits
    # ending after today's start are the planned future, not the years of history) and probed
    # as a hash: a NOT EXISTS per intervention to do is estimated so dear on a large table that
    # PostgreSQL compiles the query (JIT), which costs more than the query itself. A visit always
    # has its intervention (activity_intervention_matches_kind), so NOT IN sees no NULL.
    with_visit_ahead = Activity.objects.filter(
        kind=ActivityKind.INTERVENTION, end__gt=day_start
    ).values("intervention")
    waiting = Intervention.objects.filter(
        _intervention_q(filters), state__in=TO_DO_STATES
    ).aggregate(
        unplanned=Count("pk", filter=Q(state__in=PLANNABLE_STATES)),
        overdue=Count(
            "pk",
            filter=Q(requested_date__lt=today)
            | Q(state=State.PLANNED) & ~Q(pk__in=with_visit_ahead),
        ),
    )
    return Workload(
        today=planned["today"],
        this_week=planned["week"],
        unplanned=waiting["unplanned"],
        overdue=waiting["overdue"],
    )


# --- Period: calls ------------------------------------------------------------------------
def hours_of(delta: datetime.timedelta | None) -> Decimal | None:
    """A duration in hours, one decimal (None stays None: nothing to average)."""
    if delta is None:
        return None
    return (Decimal(delta.total_seconds()) / 3600).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class CallFigures:
    received: int  # calls received in the period (cancelled included)
    cancelled: int
    resolved_by_phone: int
    visited: int  # calls with a first visit already begun
    completed: int  # calls whose field work is finished
    to_first_visit: datetime.timedelta | None
    to_completion: datetime.timedelta | None
    # The start of the first visit of the period's calls not begun yet: it changes the figures.
    next_visit: datetime.datetime | None = None

    @property
    def considered(self) -> int:
        """Calls the phone share is measured on: received and not cancelled."""
        return self.received - self.cancelled

    @property
    def phone_share(self) -> Decimal | None:
        """Share of resolved by phone among the calls not cancelled, in per cent."""
        if not self.considered:
            return None
        return (Decimal(self.resolved_by_phone) * 100 / self.considered).quantize(Decimal("0.1"))

    @property
    def hours_to_first_visit(self) -> Decimal | None:
        return hours_of(self.to_first_visit)

    @property
    def hours_to_completion(self) -> Decimal | None:
        return hours_of(self.to_completion)


def call_figures(filters: Filters, now: datetime.datetime | None = None) -> CallFigures:
    """Counts and average delays of the calls received in the period (three queries).

    - first visit: the start of the earliest planner visit (activity of kind intervention) of
      any of the call's interventions that has already begun; calls without one are left out
      of that average;
    - completion: for a call whose status is done, verified or invoiced, the last time one of
      its interventions was marked done (state history); others are left out.
    """
    now = now or timezone.now()
    calls = _period_calls(filters)
    # The counts from the daily summaries of the period's days (calls.summaries).
    counts = (
        _summaries(filters)
        .filter(day__gte=filters.date_from, day__lte=filters.date_to)
        .aggregate(
            received=Coalesce(Sum("calls"), 0),
            cancelled=Coalesce(Sum("calls", filter=Q(status=State.CANCELLED)), 0),
            resolved_by_phone=Coalesce(Sum("calls", filter=Q(status=State.RESOLVED_BY_PHONE)), 0),
        )
    )
    # One grouped pass per delay (MIN/MAX per call, then AVG over the calls): correlated
    # subqueries per call would run once per call and per use, which is slow on years of data.
    # The visits not begun yet are read too: the first of them to begin is when this figure
    # changes by time alone (``next_visit``, the end of a cached figure's validity).
    first_visits = (
        Activity.objects.filter(
            intervention__call__in=calls.values("pk"), kind=ActivityKind.INTERVENTION
        )
        .values("intervention__call")
        .annotate(
            first=Min("start", filter=Q(start__lte=now)),
            ahead=Min("start", filter=Q(start__gt=now)),
            received=Min("intervention__call__received_at"),
        )
        .aggregate(
            visited=Count("first"),
            to_first_visit=Avg(F("first") - F("received"), output_field=DurationField()),
            next_visit=Min("ahead"),
        )
    )
    completions = (
        InterventionTransition.objects.filter(
            intervention__call__in=calls.filter(status__in=FINISHED_STATES).values("pk"),
            to_state=State.DONE,
        )
        .values("intervention__call")
        .annotate(last=Max("at"), received=Min("intervention__call__received_at"))
        .aggregate(
            completed=Count("intervention__call"),
            to_completion=Avg(F("last") - F("received"), output_field=DurationField()),
        )
    )
    row = {**counts, **first_visits, **completions}
    return CallFigures(**row)


# --- Period: hours quoted vs actual ---------------------------------------------------------
@dataclass(frozen=True)
class HoursRow:
    label: str
    quoted: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        return self.actual - self.quoted

    @property
    def percent(self) -> Decimal | None:
        """Actual hours as a share of the quoted ones (100 = as quoted)."""
        if not self.quoted:
            return None
        return (self.actual * 100 / self.quoted).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class HoursFigures:
    interventions: int  # finished interventions with a quote, of calls received in the period
    rows: list[HoursRow] = field(default_factory=list)


def hours_quoted_vs_actual(filters: Filters) -> HoursFigures:
    """Quoted labour/travel hours (quote lines) against the hours recorded (time entries).

    Only finished interventions (done, verified, invoiced) that have a quote, of the calls
    received in the period: comparing a quote with the hours of work still under way would
    make every running intervention look cheap.
    """
    interventions = Intervention.objects.filter(
        _intervention_q(filters),
        call__received_at__gte=filters.start,
        call__received_at__lt=filters.end,
        state__in=FINISHED_STATES,
        quote__isnull=False,
    )
    quoted = QuoteLine.objects.filter(
        quote__in=interventions.values("quote"),
        kind__in=[RateKind.LABOUR_HOUR, RateKind.TRAVEL_HOUR],
    ).aggregate(
        labour=Sum("quantity", filter=Q(kind=RateKind.LABOUR_HOUR)),
        travel=Sum("quantity", filter=Q(kind=RateKind.TRAVEL_HOUR)),
    )
    actual = TimeEntry.objects.filter(
        intervention__in=interventions.values("pk"),
        kind__in=[WorkKind.LABOUR, WorkKind.TRAVEL],
    ).aggregate(
        labour=Sum("hours", filter=Q(kind=WorkKind.LABOUR)),
        travel=Sum("hours", filter=Q(kind=WorkKind.TRAVEL)),
    )
    labels = {"labour": _("Labour hours"), "travel": _("Travel hours")}
    rows = [
        HoursRow(labels[kind], _hours_sum(quoted[kind]), _hours_sum(actual[kind]))
        for kind in ("labour", "travel")
    ]
    rows.append(
        HoursRow(
            _("Total hours"),
            sum((r.quoted for r in rows), Decimal(0)),
            sum((r.actual for r in rows), Decimal(0)),
        )
    )
    return HoursFigures(interventions=interventions.count(), rows=rows)


# --- Period: top units and products -------------------------------------------------------
@dataclass(frozen=True)
class TopRow:
    pk: int
    label: str
    detail: str
    calls: int


# A cached figure is keyed by the stamps of its period's days, so it is never read after a
# change to its calls; the expiry only lets the cache forget periods nobody asks for again.
CACHE_SECONDS = 24 * 3600


def period_stamp(filters: Filters) -> str:
    """The stamps of the period's days (``CallDayStamp``) and of the names day summed, and how
    many there are: any change committed since to a call of the period, or to anything else
    the period's figures read (``dashboard.stamps``), gives another value (one query, at most
    a row per day)."""
    row = CallDayStamp.objects.filter(
        Q(day__gte=filters.date_from, day__lte=filters.date_to) | Q(day=NAMES_DAY)
    ).aggregate(total=Coalesce(Sum("stamp"), 0), days=Count("*"))
    return f"{row['total']}.{row['days']}"


def _cache_key(figure: str, filters: Filters, *extra: object) -> str:
    parts = (
        filters.date_from,
        filters.date_to,
        _key(filters.customer),
        _key(filters.technician),
        _key(filters.intervention_type),
        *extra,
        period_stamp(filters),
    )
    return f"dashboard:{figure}:v1:" + ":".join(str(part) for part in parts)


def top_units(filters: Filters, limit: int = TOP) -> list[TopRow]:
    """The units with the most calls received in the period (ties: by serial number).

    Grouping the calls of the period with their unit, product and customer joined in would
    join every call of the period to tables of tens of thousands of rows (PostgreSQL hashes
    them whole). So the calls are counted per unit (and customer: a unit that changed hands is
    one row per customer, as the detail names the customer) on the calls alone first; only the
    units whose count reaches the ``limit``-th largest one can be in the top, and only their
    calls are grouped again with the names joined in. Ties at the threshold are all kept, so
    the order by serial number among them is the same as over all the units.

    Counting every call of a year takes 100-200 ms at scale 100 and no summary is much smaller
    than the calls (most units have one or two calls a year), so the units found are cached,
    keyed by the period, the filters and the stamps of the period's days
    (``calls.summaries.stamp``: replaced in the transaction of every change to a call of that
    day). Only the units are cached: their calls are grouped again with the names on every
    request (a few rows), so the counts, serial numbers and names shown are always the
    database's. Two queries, cached or not: the stamps, then the rows.
    """
    key = _cache_key("top_units", filters, limit)
    cached = cache.get(key)
    calls = _period_calls(filters).filter(unit__isnull=False)
    if cached is None:
        # RANK() <= limit: the groups with at least as many calls as the limit-th largest one.
        units = (
            calls.values("unit", "customer")
            .annotate(n=Count("*"))
            .annotate(rank=Window(Rank(), order_by=F("n").desc()))
            .filter(rank__lte=limit)
            .values("unit")
        )
    else:
        # No unit has the id 0: with nothing cached the query still runs (and finds nothing),
        # so the page runs the same number of queries whether the figure was cached or not.
        units = cached or [0]
    rows = list(
        calls.filter(unit__in=units)
        .values("unit", "customer", "unit__serial_number", "unit__product__code", "customer__name")
        .annotate(n=Count("*"))
        .order_by("-n", "unit__serial_number", "unit", "customer")[:limit]
    )
    if cached is None:
        # The units of the top, not every candidate: with the stamps unchanged their counts
        # are the same, and a serial number edited since stamps the days of its calls.
        cache.set(key, sorted({r["unit"] for r in rows}), CACHE_SECONDS)
    return [
        TopRow(
            r["unit"],
            r["unit__serial_number"],
            f"{r['unit__product__code']} – {r['customer__name']}",
            r["n"],
        )
        for r in rows
    ]


def _translated(path: str) -> Coalesce:
    """A translated field reached through relations (modeltranslation only rewrites a model's
    own fields): the reader's language, then the fallbacks, skipping empty translations."""
    current = get_language() or mt_settings.DEFAULT_LANGUAGE
    languages = [current, *mt_settings.FALLBACK_LANGUAGES.get("default", ())]
    columns = [
        NullIf(build_localized_fieldname(path, language), Value(""))
        for language in dict.fromkeys(languages)
        if language in mt_settings.AVAILABLE_LANGUAGES
    ]
    return Coalesce(*columns, Value(""), output_field=CharField())


def top_products(filters: Filters, limit: int = TOP) -> list[TopRow]:
    """The products (machine models) with the most calls received in the period.

    Added up from the daily call totals per product (calls.summaries: a few rows a day), or
    from the customer's daily call summaries with a customer filter, rather than from the
    calls."""
    if filters.customer is None:
        counted = CallDayProduct.objects.filter(
            type_key=_key(filters.intervention_type), technician_key=_key(filters.technician)
        )
    else:
        counted = _summaries(filters).filter(product__isnull=False)
    rows = (
        counted.filter(day__gte=filters.date_from, day__lte=filters.date_to)
        .values("product", "product__code")
        .annotate(n=Sum("calls"), description=_translated("product__description"))
        .filter(n__gt=0)
        .order_by("-n", "product__code", "product")[:limit]
    )
    return [TopRow(r["product"], r["product__code"], r["description"] or "", r["n"]) for r in rows]


# --- Period: activity per technician ------------------------------------------------------
@dataclass
class TechnicianRow:
    pk: int
    name: str
    visits: int = 0
    completed: int = 0
    labour: Decimal = Decimal(0)
    travel: Decimal = Decimal(0)
    other: Decimal = Decimal(0)

    @property
    def hours(self) -> Decimal:
        return self.labour + self.travel + self.other


def technician_activity(filters: Filters) -> list[TechnicianRow]:
    """Per technician: planner visits starting in the period, interventions assigned to them
    that were marked done in the period (once each, even if sent back and done again), and the
    hours they recorded in the period by kind. Technicians with nothing in the period are left
    out.

    Three grouped queries (visits, completions, hours) plus one for the names; the number of
    technicians is small, so merging their rows in Python is fine.
    """
    visits = _visits(filters).filter(start__gte=filters.start, start__lt=filters.end)
    completions = InterventionTransition.objects.filter(
        _intervention_q(filters, "intervention__"),
        to_state=State.DONE,
        at__gte=filters.start,
        at__lt=filters.end,
        intervention__technician__isnull=False,
    )
    if filters.customer is None:
        # The daily hours (planner.summaries): a row per technician and day, per type with a
        # type filter, rather than every time entry of the period.
        entries = DayHours.objects.filter(
            type_key=_key(filters.intervention_type), day__gte=filters.date_from
        ).filter(day__lte=filters.date_to)
        sums = {"labour": Sum("labour"), "travel": Sum("travel"), "other": Sum("other")}
    else:
        # A customer's hours are few: read from their entries.
        entries = TimeEntry.objects.filter(
            _intervention_q(filters, "intervention__", technician=False),
            date__gte=filters.date_from,
            date__lte=filters.date_to,
        )
        sums = {
            "labour": Sum("hours", filter=Q(kind=WorkKind.LABOUR)),
            "travel": Sum("hours", filter=Q(kind=WorkKind.TRAVEL)),
            "other": Sum("hours", filter=~Q(kind__in=[WorkKind.LABOUR, WorkKind.TRAVEL])),
        }
    entries = entries.filter(user__role=Role.TECHNICIAN)
    if filters.technician is not None:
        entries = entries.filter(user=filters.technician)

    rows: dict[int, TechnicianRow] = {}

    def row(pk: int) -> TechnicianRow:
        return rows.setdefault(pk, TechnicianRow(pk, ""))

    for pk, n in visits.values("technician").annotate(n=Count("pk")).values_list("technician", "n"):
        row(pk).visits = n
    for pk, n in (
        completions.values("intervention__technician")
        .annotate(n=Count("intervention", distinct=True))
        .values_list("intervention__technician", "n")
    ):
        row(pk).completed = n
    for pk, labour, travel, other in (
        entries.values("user")
        .annotate(**sums)
        .order_by()
        .values_list("user", "labour", "travel", "other")
    ):
        r = row(pk)
        r.labour, r.travel, r.other = _hours_sum(labour), _hours_sum(travel), _hours_sum(other)
    if not rows:
        return []
    for user in User.objects.filter(pk__in=rows).only("username", "first_name", "last_name"):
        rows[user.pk].name = str(user)
    return sorted(rows.values(), key=lambda r: (r.name.lower(), r.pk))


# --- SLA compliance ---------------------------------------------------------------------------
@dataclass
class SlaRow:
    """Calls with an SLA clock received in the period, and how their deadlines went."""

    pk: int | None
    name: str
    calls: int = 0
    response_met: int = 0
    response_breached: int = 0
    resolution_met: int = 0
    resolution_breached: int = 0

    @property
    def response_percent(self) -> Decimal | None:
        decided = self.response_met + self.response_breached
        return Decimal(100 * self.response_met) / decided if decided else None

    @property
    def resolution_percent(self) -> Decimal | None:
        decided = self.resolution_met + self.resolution_breached
        return Decimal(100 * self.resolution_met) / decided if decided else None


@dataclass(frozen=True)
class SlaFigures:
    total: SlaRow
    customers: list[SlaRow]
    technicians: list[SlaRow]
    next_due: datetime.datetime | None = None  # the first deadline ahead of a running clock


def _sla_counts(prefix: str, now: datetime.datetime) -> dict[str, Count]:
    """Met: answered (resolved) by the deadline; breached: late, or still running past it."""
    p = prefix

    def met(done: str, due: str) -> Q:
        return Q(**{f"{p}{done}__isnull": False, f"{p}{done}__lte": F(f"{p}{due}")})

    def breached(done: str, due: str) -> Q:
        return Q(**{f"{p}{done}__gt": F(f"{p}{due}")}) | Q(
            **{f"{p}{done}__isnull": True, f"{p}{due}__lte": now, f"{p}status__in": OPEN_STATUSES}
        )

    key = f"{p}pk"
    return {
        "calls": Count(key, distinct=True),
        "response_met": Count(key, filter=met("responded_at", "response_due"), distinct=True),
        "response_breached": Count(
            key, filter=breached("responded_at", "response_due"), distinct=True
        ),
        "resolution_met": Count(key, filter=met("resolved_at", "resolution_due"), distinct=True),
        "resolution_breached": Count(
            key, filter=breached("resolved_at", "resolution_due"), distinct=True
        ),
    }


# A clock can still breach only on a call that is not cancelled.
OPEN_STATUSES = [state for state in State if state != State.CANCELLED]


def sla_compliance(filters: Filters, now: datetime.datetime | None = None) -> SlaFigures:
    """Per period (the filters'), per customer (the TOP with most calls) and per technician
    (of the call's interventions): the calls with an SLA clock received in the period and how
    many met or breached each deadline. Three grouped queries; the deadlines are stored on
    the call (``calls.sla``), so nothing is recomputed here."""
    now = now or timezone.now()
    calls = _period_calls(filters).filter(response_due__isnull=False)
    counts = _sla_counts("", now)
    # The first deadline still ahead of a running clock: then a call turns "breached" by time
    # alone (``next_due``, the end of a cached figure's validity).
    running = Q(status__in=OPEN_STATUSES)
    total = calls.aggregate(
        **counts,
        next_response=Min(
            "response_due", filter=running & Q(responded_at__isnull=True, response_due__gt=now)
        ),
        next_resolution=Min(
            "resolution_due",
            filter=running & Q(resolved_at__isnull=True, resolution_due__gt=now),
        ),
    )
    ahead = [total.pop("next_response"), total.pop("next_resolution")]
    next_due = min((due for due in ahead if due is not None), default=None)
    total = SlaRow(None, "", **total)
    customers = [
        SlaRow(row.pop("customer"), row.pop("customer__name"), **row)
        for row in calls.values("customer", "customer__name")
        .annotate(**counts)
        .order_by("-calls", "customer__name")[:TOP]
    ]
    interventions = Intervention.objects.filter(
        _intervention_q(filters, ""),
        call__in=calls.values("pk"),
        technician__isnull=False,
    )
    per_technician = list(
        interventions.values("technician").annotate(**_sla_counts("call__", now)).order_by()
    )
    names = (
        {
            user.pk: str(user)
            for user in User.objects.filter(pk__in=[r["technician"] for r in per_technician]).only(
                "username", "first_name", "last_name"
            )
        }
        if per_technician
        else {}
    )
    technicians = sorted(
        (
            SlaRow(
                row["technician"],
                names.get(row["technician"], ""),
                **{k: v for k, v in row.items() if k != "technician"},
            )
            for row in per_technician
        ),
        key=lambda r: (r.name.lower(), r.pk),
    )
    return SlaFigures(total=total, customers=customers, technicians=technicians, next_due=next_due)


# --- All of it ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    open_calls: list[StateCount]
    workload: Workload
    calls: CallFigures
    hours: HoursFigures
    top_units: list[TopRow]
    top_products: list[TopRow]
    technicians: list[TechnicianRow]
    sla: SlaFigures

    @property
    def valid_until(self) -> datetime.datetime | None:
        """When the figures change by time alone (a visit begins, a deadline passes), if ever;
        every other change renews a stamp (``dashboard.figures``)."""
        moments = [self.calls.next_visit, self.sla.next_due]
        return min((moment for moment in moments if moment is not None), default=None)


def dashboard(
    filters: Filters,
    *,
    open_calls: list[StateCount] | None = None,
    work: Workload | None = None,
    now: datetime.datetime | None = None,
) -> Dashboard:
    """Every figure of the dashboard for ``filters`` (a fixed number of queries); the "now"
    figures may be given when already read."""
    now = now or timezone.now()
    return Dashboard(
        filters=filters,
        open_calls=open_calls if open_calls is not None else open_calls_by_state(filters),
        workload=work if work is not None else workload(filters, timezone.localdate(now)),
        calls=call_figures(filters, now),
        hours=hours_quoted_vs_actual(filters),
        top_units=top_units(filters),
        top_products=top_products(filters),
        technicians=technician_activity(filters),
        sla=sla_compliance(filters, now),
    )
