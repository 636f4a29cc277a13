"""Reads for the planners: the records a user may open and the data of the board, calendars and
timesheets.

The ``get_*_for`` helpers answer 404 for records a user may not know exist (another
technician's activities or hours), scoped by ``planner.access``; role checks (403) are done by
the views. Every page reads a fixed number
of queries, whatever the number of technicians, activities or entries.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User, person_name
from calls.job import JOB_RELATED
from calls.models import Intervention, InterventionType, State
from planner import access
from planner.models import ABSENCE_KINDS, Activity, TimeEntry, WorkKind
from planner.services import HOURS_FROZEN_STATES, PLANNABLE_STATES
from service_portal.choices import choice_labels
from service_portal.i18n import localized_fields, translated_value
from service_portal.links import ID_MARKERS, url_pattern
from service_portal.roles import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The day a technician's load is measured against (hours of planned work per working day).
WORKING_HOURS_PER_DAY = Decimal(8)
UNPLANNED_ON_BOARD = 50


# --- Days -----------------------------------------------------------------------------------
def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The local midnight that starts ``day`` and the one that ends it (aware)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    next_day = day + datetime.timedelta(days=1)
    end = datetime.datetime.combine(next_day, datetime.time.min, tzinfo=zone)
    return start, end


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def month_first(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_last(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_weeks(first: datetime.date) -> list[list[datetime.date]]:
    """Monday-first weeks covering the month of ``first`` (days of nearby months included)."""
    return calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)


def _hours_within(activity: Activity, start: datetime.datetime, end: datetime.datetime) -> Decimal:
    seconds = (min(activity.end, end) - max(activity.start, start)).total_seconds()
    return Decimal(max(seconds, 0) / 3600).quantize(Decimal("0.01"))


# --- Access ---------------------------------------------------------------------------------
def technicians() -> QuerySet[User]:
    return User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def get_technician_for(user: User, pk: int) -> User:
    """Staff open any active technician's planner; a technician only their own (404)."""
    if not access.may_see_planner_of(user, pk):
        raise Http404
    if access.is_office(user):
        return get_object_or_404(technicians(), pk=pk)
    return user


def get_activity_for(user: User, pk: int) -> Activity:
    queryset = access.visible_activities(
        Activity.objects.select_related("technician", "intervention__call__customer"), user
    )
    return get_object_or_404(queryset, pk=pk)


def get_person_for(user: User, pk: int | None) -> User:
    """Whose hours ``user`` is looking at: their own, or (administrator) anyone's."""
    if pk is None or pk == user.pk:
        return user
    if not access.may_see_hours_of(user, pk):
        raise Http404
    return get_object_or_404(User.objects.filter(is_active=True), pk=pk)


def get_time_entry_for(user: User, pk: int) -> TimeEntry:
    queryset = access.visible_time_entries(
        TimeEntry.objects.select_related("user", "intervention", "activity"), user
    )
    return get_object_or_404(queryset, pk=pk)


def get_intervention_for_hours(user: User, pk: int) -> Intervention:
    """Staff see every intervention's hours; a technician only those assigned to them."""
    queryset = access.visible_interventions_for_hours(
        Intervention.objects.select_related("call", "technician"), user
    )
    return get_object_or_404(queryset, pk=pk)


# --- Board and calendar ---------------------------------------------------------------------
def is_cancelled(activity: Activity) -> bool:
    """An intervention cancelled on its call page: its activity no longer takes time."""
    return activity.intervention is not None and activity.intervention.state == State.CANCELLED


@dataclass
class Cell:
    day: datetime.date
    activities: list[Activity] = field(default_factory=list)
    hours: Decimal = Decimal(0)
    absent: bool = False

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass
class BoardRow:
    technician: User
    cells: list[Cell]
    hours: Decimal = Decimal(0)
    capacity: Decimal = Decimal(0)
    # The board's cells and heading texts (``planner.board.render_rows``).
    cells_html: str = ""
    today_url: str = ""
    summary: str = ""
    load_title: str = ""

    @property
    def load_percent(self) -> int:
        if not self.capacity:
            return 0
        return int(self.hours * 100 / self.capacity)


@dataclass(slots=True)
class BoardActivity:
    """An activity as the board shows it, read as plain values: a month of the whole team is
    some 500 activities, and building model instances for them (with their interventions) cost
    more than writing the cells."""

    technician_id: int
    kind: str
    start: datetime.datetime
    end: datetime.datetime
    all_day: bool
    notes: str
    intervention_id: int | None
    code: str | None  # the intervention's
    state: str | None
    customer: str | None  # the name of the intervention's customer


BOARD_ACTIVITY_VALUES = (
    "technician_id",
    "kind",
    "start",
    "end",
    "all_day",
    "notes",
    "intervention_id",
    "intervention__code",
    "intervention__state",
    "intervention__call__customer__name",
)


def planner_rows(
    people: list[User], first: datetime.date, last: datetime.date, *, plain: bool = False
) -> list[BoardRow]:
    """Rows of technicians x days from ``first`` to ``last`` with activities and load.

    One query for all activities; the load is planned work (absences excluded) against
    ``WORKING_HOURS_PER_DAY`` on each working day the technician is not absent. The cells hold
    ``Activity`` instances (for the calendar's template), or ``BoardActivity`` values with
    ``plain`` (the board, written in Python).
    """
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    range_start, _ = day_bounds(first)
    _, range_end = day_bounds(last)
    in_range = Activity.objects.filter(
        technician__in=[person.pk for person in people],
        start__lt=range_end,
        end__gt=range_start,
    ).order_by("start", "pk")
    activities: Iterable[Activity | BoardActivity]
    cancelled: Callable[[Any], bool]
    if plain:
        activities = [
            BoardActivity(*values) for values in in_range.values_list(*BOARD_ACTIVITY_VALUES)
        ]
        cancelled = _plain_cancelled
    else:
        activities = in_range.select_related("intervention__call__customer")
        cancelled = is_cancelled
    by_technician: dict[int, list] = defaultdict(list)
    for activity in activities:
        by_technician[activity.technician_id].append(activity)
    bounds = [day_bounds(day) for day in days]
    rows = []
    for person in people:
        cells = [Cell(day=day) for day in days]
        # Activities come by start: each is put in the days it overlaps, from its first day on.
        for activity in by_technician.get(person.pk, ()):
            n = max((timezone.localtime(activity.start).date() - first).days, 0)
            while n < len(days):
                start, end = bounds[n]
                if start >= activity.end:
                    break
                if activity.start < end:
                    cell = cells[n]
                    cell.activities.append(activity)
                    if activity.kind in ABSENCE_KINDS:
                        cell.absent = True
                    elif not cancelled(activity):
                        cell.hours += _hours_within(activity, start, end)
                n += 1
        row = BoardRow(technician=person, cells=cells)
        row.hours = sum((cell.hours for cell in cells), Decimal(0))
        row.capacity = WORKING_HOURS_PER_DAY * sum(
            1 for cell in cells if not cell.is_weekend and not cell.absent
        )
        rows.append(row)
    return rows


def _plain_cancelled(activity: BoardActivity) -> bool:
    return activity.state == State.CANCELLED


def _waiting_for_the_planner() -> QuerySet[Intervention]:
    """Interventions waiting for the planner (expected or quoted), oldest request first: what
    the "To plan" lists show, as model instances (the day page) or as values (the board)."""
    return Intervention.objects.filter(state__in=PLANNABLE_STATES).order_by("requested_date", "pk")


def unplanned_count() -> int:
    return Intervention.objects.filter(state__in=PLANNABLE_STATES).count()


def unplanned_interventions(limit: int = UNPLANNED_ON_BOARD) -> list[Intervention]:
    """Interventions waiting for the planner (expected or quoted), oldest request first.

    Only what the lists beside the board and the day page show is read."""
    return list(
        _waiting_for_the_planner()
        .select_related("call__customer", "call__site", "type", "technician")
        .only(
            "code",
            "state",
            "requested_date",
            "call__customer__name",
            "call__site__city",
            "type",
            "technician__username",
            "technician__first_name",
            "technician__last_name",
        )[:limit]
    )


@dataclass(frozen=True, slots=True)
class UnplannedRow:
    """An intervention of the board's "To plan" list, read as plain values (50 on every board
    page: as model instances, with their call, customer, site, type and technician, they were
    the larger part of the page's Python)."""

    pk: int
    code: str
    state_label: str
    plan_url: str
    customer_name: str
    site_city: str
    type: str | None  # its name in the reader's language; None without a type
    requested_date: datetime.date | None
    technician: str | None  # str(user); None when not assigned


UNPLANNED_ROW_FIELDS = (
    "pk",
    "code",
    "state",
    "requested_date",
    "call__customer__name",
    "call__site__city",
    "type",
    *(f"type__{name}" for name in localized_fields("name")),
    "technician",
    "technician__first_name",
    "technician__last_name",
    "technician__username",
)


def unplanned_rows(limit: int = UNPLANNED_ON_BOARD) -> list[UnplannedRow]:
    """``unplanned_interventions`` as the board shows them, in one query as well."""
    plan_url = url_pattern("planner:plan", ID_MARKERS[0])
    states = choice_labels(Intervention._meta.get_field("state"))
    page = _waiting_for_the_planner().values(*UNPLANNED_ROW_FIELDS)[:limit]
    return [
        UnplannedRow(
            pk=values["pk"],
            code=values["code"],
            state_label=states.get(values["state"], values["state"]),
            plan_url=plan_url.format(values["pk"]),
            customer_name=values["call__customer__name"],
            site_city=values["call__site__city"],
            type=None
            if values["type"] is None
            else translated_value(InterventionType, "name", values, "type__name"),
            requested_date=values["requested_date"],
            technician=None
            if values["technician"] is None
            else person_name(
                values["technician__first_name"],
                values["technician__last_name"],
                values["technician__username"],
            ),
        )
        for values in page
    ]


def day_activities(technician: User, day: datetime.date) -> list[Activity]:
    start, end = day_bounds(day)
    return list(
        Activity.objects.filter(technician=technician, start__lt=end, end__gt=start)
        .select_related("intervention__call__customer", "intervention__call__site")
        .order_by("start", "pk")
    )


AGENDA_DAYS = 7


@dataclass
class AgendaDay:
    day: datetime.date
    activities: list[Activity] = field(default_factory=list)


def agenda(technician: User, first: datetime.date, days: int = AGENDA_DAYS) -> list[AgendaDay]:
    """The phone's agenda: ``days`` days from ``first``, each with its activities by start and,
    for a visit, the job's customer, site, contact, unit and type (one query whatever the
    number of visits). An activity over several days is listed on each of them."""
    agenda_days = [AgendaDay(first + datetime.timedelta(days=n)) for n in range(days)]
    range_start, _ = day_bounds(first)
    _, range_end = day_bounds(agenda_days[-1].day)
    activities = (
        Activity.objects.filter(technician=technician, start__lt=range_end, end__gt=range_start)
        .select_related(*(f"intervention__{name}" for name in JOB_RELATED), "intervention__type")
        .order_by("start", "pk")
    )
    for activity in activities:
        for agenda_day in agenda_days:
            start, end = day_bounds(agenda_day.day)
            if activity.start < end and activity.end > start:
                agenda_day.activities.append(activity)
    return agenda_days


def feed_activities(technician: User) -> QuerySet[Activity]:
    """What a technician's calendar feed shows: their activities from 90 days back on."""
    since = timezone.now() - datetime.timedelta(days=90)
    return (
        Activity.objects.filter(technician=technician, end__gte=since)
        .select_related(*(f"intervention__{name}" for name in JOB_RELATED))
        .order_by("start", "pk")
    )


# --- Hours worked ---------------------------------------------------------------------------
def mark_editable(entries: list[TimeEntry]) -> list[TimeEntry]:
    """Set ``editable`` on each entry: False when its intervention is verified or invoiced."""
    for entry in entries:
        entry.editable = not (
            entry.intervention is not None and entry.intervention.state in HOURS_FROZEN_STATES
        )
    return entries


def day_entries(person: User, day: datetime.date) -> list[TimeEntry]:
    return mark_editable(
        list(
            TimeEntry.objects.filter(user=person, date=day)
            .select_related("intervention", "activity")
            .order_by("start_time", "pk")
        )
    )


def month_hours(
    person: User, first: datetime.date, last: datetime.date
) -> tuple[dict[datetime.date, Decimal], list[dict]]:
    """A person's hours in the period per day and per kind of work, from one query (sums per
    day and kind, added up here)."""
    rows = (
        TimeEntry.objects.filter(user=person, date__range=(first, last))
        .values_list("date", "kind")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    per_day: dict[datetime.date, Decimal] = {}
    totals: dict[str, Decimal] = {}
    for day, kind, total in rows:
        per_day[day] = per_day.get(day, Decimal(0)) + total
        totals[kind] = totals.get(kind, Decimal(0)) + total
    per_kind = [
        {"kind": kind, "label": label, "total": totals[kind]}
        for kind, label in WorkKind.choices
        if kind in totals
    ]
    return per_day, per_kind


@dataclass
class TeamRow:
    person: User
    per_kind: list[Decimal]
    total: Decimal
    kinds: Sequence[tuple[str, StrOrPromise]] = ()

    @property
    def cells(self) -> list[tuple[StrOrPromise, Decimal]]:
        """Each kind's hours with the kind's name (the cell's label on a phone)."""
        return [
            (label, value) for (_kind, label), value in zip(self.kinds, self.per_kind, strict=True)
        ]


@dataclass
class TeamMonth:
    kinds: Sequence[tuple[str, StrOrPromise]]
    rows: list[TeamRow]
    kind_totals: list[Decimal]
    total: Decimal

    @property
    def total_cells(self) -> list[tuple[StrOrPromise, Decimal]]:
        return [
            (label, value)
            for (_kind, label), value in zip(self.kinds, self.kind_totals, strict=True)
        ]


def team_month(first: datetime.date, last: datetime.date) -> TeamMonth:
    """Hours of everyone in the period: one row per person, one column per kind of work.

    Every active technician has a row (zero hours show who has not filled in the timesheet);
    other people appear when they recorded hours.
    """
    sums = (
        TimeEntry.objects.filter(date__range=(first, last))
        .values("user", "kind")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    by_person: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in sums:
        by_person[row["user"]][row["kind"]] = row["total"]
    people = User.objects.filter(pk__in=list(by_person)) | technicians()
    kinds = list(WorkKind.choices)
    rows = []
    for person in people.distinct().order_by("last_name", "first_name", "username"):
        totals = by_person.get(person.pk, {})
        per_kind = [totals.get(kind, Decimal(0)) for kind, _label in kinds]
        rows.append(
            TeamRow(person=person, per_kind=per_kind, total=sum(per_kind, Decimal(0)), kinds=kinds)
        )
    kind_totals = [sum((row.per_kind[i] for row in rows), Decimal(0)) for i in range(len(kinds))]
    return TeamMonth(
        kinds=kinds, rows=rows, kind_totals=kind_totals, total=sum(kind_totals, Decimal(0))
    )


def team_entries(first: datetime.date, last: datetime.date) -> QuerySet[TimeEntry]:
    """Every entry of the period, for the exports."""
    return (
        TimeEntry.objects.filter(date__range=(first, last))
        .select_related("user", "intervention", "activity")
        .order_by("date", "user__last_name", "user__username", "start_time", "pk")
    )


def intervention_entries(intervention: Intervention) -> list[TimeEntry]:
    return mark_editable(
        list(
            TimeEntry.objects.filter(intervention=intervention)
            .select_related("user", "intervention", "activity")
            .order_by("date", "start_time", "pk")
        )
    )


def offline_jobs(user: User, today: datetime.date) -> list[Intervention]:
    """The interventions ``user`` visits today or tomorrow (their planner's activities, not
    cancelled), each once, by first visit: the pages a phone keeps for working without signal.
    One query."""
    start, _end = day_bounds(today)
    _start, end = day_bounds(today + datetime.timedelta(days=1))
    activities = (
        Activity.objects.filter(
            technician=user, intervention__isnull=False, start__lt=end, end__gt=start
        )
        .select_related("intervention")
        .order_by("start", "pk")
    )
    jobs: dict[int, Intervention] = {}
    for activity in activities:
        if not is_cancelled(activity) and activity.intervention is not None:
            jobs.setdefault(activity.intervention.pk, activity.intervention)
    return list(jobs.values())
