"""Pages of the planners. Thin: access through ``planner.selectors``, writes through services."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls.models import Intervention
from planner import access, exports, ical, selectors, services
from planner import board as grid
from planner.forms import ActivityForm, PlanForm, TimeEntryForm
from planner.models import ActivityKind, CalendarFeed, LabourRate
from planner.services import PlannerError
from service_portal import exports as limits
from service_portal import idempotency, offline
from service_portal.errors import show_error
from service_portal.forms import is_plausible_date, parse_id
from service_portal.links import DAY_MARKER, url_pattern
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS, EVERYONE, STAFF


# --- Parameters -----------------------------------------------------------------------------
def _parse_day(value: str | None, default: datetime.date | None = None) -> datetime.date:
    if not value:
        return default or timezone.localdate()
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is not None and is_plausible_date(day):
        return day
    if default is not None:
        return default
    raise Http404


def _parse_month(value: str | None) -> datetime.date:
    """``YYYY-MM`` (or a full date) -> first day of that month; today's month otherwise."""
    today = timezone.localdate()
    if value:
        try:
            day = datetime.date.fromisoformat(f"{value}-01" if len(value) == 7 else value)
        except ValueError:
            day = None
        if day is not None and is_plausible_date(day):
            return day.replace(day=1)
    return today.replace(day=1)


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name) or request.POST.get(name) or ""
    return parse_id(value)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- Activity planner -----------------------------------------------------------------------
@role_required(*STAFF)
def board(request: HttpRequest) -> HttpResponse:
    """Technicians (rows) x days (columns), a week or a month, with the interventions to plan."""
    view = "month" if request.GET.get("view") == "month" else "week"
    day = _parse_day(request.GET.get("date"), timezone.localdate())
    if view == "month":
        first, last = selectors.month_first(day), selectors.month_last(day)
        previous, following = selectors.add_months(first, -1), selectors.add_months(first, 1)
    else:
        first = selectors.week_start(day)
        last = first + datetime.timedelta(days=6)
        previous, following = first - datetime.timedelta(days=7), first + datetime.timedelta(7)
    people = list(selectors.technicians())
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    rows = selectors.planner_rows(people, first, last, plain=True)
    today = timezone.localdate()
    grid.render_rows(rows, days, view=view, today=today)
    unplanned = selectors.unplanned_rows()  # plain values, links and labels built once
    context = {
        "view": view,
        "first": first,
        "last": last,
        "days": days,
        "rows": rows,
        "previous": previous,
        "following": following,
        "today": today,
        "unplanned": unplanned,
        "unplanned_count": selectors.unplanned_count(),
    }
    return render(request, "planner/board.html", context)


@role_required(*EVERYONE)
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own activities: on a phone a list of seven days from today (or
    from ``?from=``), on a wide screen the month grid (``?month=``). Both are rendered; the
    stylesheet shows the one that fits the screen (no script)."""
    today = timezone.localdate()
    agenda_first = _parse_day(request.GET.get("from"), today)
    first = _parse_month(request.GET.get("month") or request.GET.get("from"))
    weeks = selectors.month_weeks(first)
    row = selectors.planner_rows([request.user], weeks[0][0], weeks[-1][-1])[0]
    cells = iter(row.cells)
    context = {
        "first": first,
        "weeks": [[next(cells) for _day in week] for week in weeks],
        "row": row,
        "previous": selectors.add_months(first, -1),
        "following": selectors.add_months(first, 1),
        "today": today,
        "agenda": selectors.agenda(request.user, agenda_first),
        "agenda_previous": agenda_first - datetime.timedelta(days=selectors.AGENDA_DAYS),
        "agenda_following": agenda_first + datetime.timedelta(days=selectors.AGENDA_DAYS),
    }
    return render(request, "planner/my_calendar.html", context)


@require_GET
@role_required(*EVERYONE)
def offline_pages(request: HttpRequest) -> HttpResponse:
    """What the phone keeps for working without signal (static/js/offline.js): the home page,
    "My calendar" and the pages of the jobs the signed-in person visits today and tomorrow,
    with their hours section (a fragment the job page loads). Only the person's own jobs."""
    pages = [reverse("calls:my_interventions"), reverse("planner:my_calendar")]
    fragments = []
    for intervention in selectors.offline_jobs(request.user, timezone.localdate()):
        pages.append(intervention.get_absolute_url())
        fragments.append(reverse("planner:intervention_hours", args=[intervention.pk]))
    return JsonResponse({"pages": pages, "fragments": fragments})


def _day_url(technician_pk: int, day: datetime.date) -> str:
    return reverse("planner:day", args=[technician_pk, day.isoformat()])


def _show_warnings(form: Any, result: services.PlanResult) -> None:
    form.warnings = result.warnings
    form.show_confirmation()


@role_required(*EVERYONE)
def day_detail(request: HttpRequest, technician_pk: int, day: str) -> HttpResponse:
    """One technician's day: its activities, and a form to add one (SPEC §3)."""
    technician = selectors.get_technician_for(request.user, technician_pk)
    the_day = _parse_day(day)
    staff = access.is_office(request.user)
    initial = {"technician": technician.pk, "date": the_day, "kind": ActivityKind.OFFICE}
    form = ActivityForm(request.POST or None, initial=initial, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with idempotency.once(data["submission_token"], request.user):
                result = services.create_activity(
                    acting_user=request.user,
                    technician=data["technician"] if staff else technician,
                    kind=data["kind"],
                    start=data["start"],
                    end=data["end"],
                    all_day=data.get("all_day", False),
                    notes=data["notes"],
                    confirm=data["confirm"],
                )
                if not result.saved:  # warnings to confirm: the same form may come back
                    transaction.set_rollback(True)
        except idempotency.AlreadySubmitted:
            messages.info(request, idempotency.ALREADY_SAVED)
            return redirect(_day_url(technician.pk, the_day))
        except PlannerError as error:
            show_error(request, error, form)
        else:
            if result.saved:
                messages.success(request, _("Activity added."))
                return redirect(_day_url(technician.pk, the_day))
            _show_warnings(form, result)
    context = {
        "technician": technician,
        "day": the_day,
        "previous": the_day - datetime.timedelta(days=1),
        "following": the_day + datetime.timedelta(days=1),
        "activities": selectors.day_activities(technician, the_day),
        "form": form,
        "staff": staff,
        "unplanned": selectors.unplanned_interventions(limit=20) if staff else [],
    }
    return render(request, "planner/day.html", context)


@role_required(*EVERYONE)
def activity_update(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for(request.user, pk)
    staff = access.is_office(request.user)
    form = ActivityForm(
        request.POST or None,
        initial=ActivityForm.initial_for(activity),
        activity=activity,
        staff=staff,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.update_activity(
                activity=activity,
                acting_user=request.user,
                version=data["version"],
                technician=data["technician"] if staff else activity.technician,
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                all_day=data.get("all_day", False),
                notes=data["notes"],
                confirm=data["confirm"],
            )
        except PlannerError as error:
            show_error(request, error, form)
        else:
            if result.saved:
                messages.success(request, _("Activity saved."))
                start = timezone.localtime(result.activity.start).date()
                return redirect(_day_url(result.activity.technician_id, start))
            _show_warnings(form, result)
    context = {"activity": activity, "form": form, "staff": staff}
    return render(request, "planner/activity_form.html", context)


@require_POST
@role_required(*EVERYONE)
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for(request.user, pk)
    day = timezone.localtime(activity.start).date()
    try:
        services.delete_activity(activity=activity, acting_user=request.user)
    except PlannerError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Activity deleted."))
    return redirect(_day_url(activity.technician_id, day))


@role_required(*STAFF)
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The plain planning form: technician, day and time for one intervention."""
    intervention = get_object_or_404(
        Intervention.objects.select_related("call__customer", "call__site", "type"), pk=pk
    )
    technician_pk = _int_param(request, "technician") or intervention.technician_id
    day = _parse_day(request.GET.get("date"), intervention.requested_date or timezone.localdate())
    initial = {
        "technician": technician_pk,
        "date": day,
        "start_time": datetime.time(9),
        "end_time": datetime.time(13),
    }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with idempotency.once(data["submission_token"], request.user):
                result = services.plan_intervention(
                    intervention=intervention,
                    technician=data["technician"],
                    start=data["start"],
                    end=data["end"],
                    acting_user=request.user,
                    confirm=data["confirm"],
                    notes=data["notes"],
                )
                if not result.saved:  # warnings to confirm: the same form may come back
                    transaction.set_rollback(True)
        except idempotency.AlreadySubmitted as repeat:
            board = f"{reverse('planner:board')}?date={data['date'].isoformat()}"
            return idempotency.already_saved(request, repeat, board)
        except PlannerError as error:
            show_error(request, error, form)
        else:
            if result.saved:
                messages.success(
                    request,
                    _("%(code)s planned for %(name)s.")
                    % {"code": intervention.code, "name": data["technician"]},
                )
                return redirect(f"{reverse('planner:board')}?date={data['date'].isoformat()}")
            _show_warnings(form, result)
    context = {"intervention": intervention, "form": form}
    return render(request, "planner/plan.html", context)


# --- Hours worked ---------------------------------------------------------------------------
def _entry_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": data["date"],
        "kind": data["kind"],
        "rate": data.get("rate") or LabourRate.NORMAL,
        "hours": data.get("hours"),
        "start_time": data.get("start_time"),
        "end_time": data.get("end_time"),
        "intervention": data.get("intervention"),
        "activity": data.get("activity"),
        "description": data.get("description", ""),
    }


def _hours_day_url(person: Any, day: datetime.date, request: HttpRequest) -> str:
    url = reverse("planner:hours_day", args=[day.isoformat()])
    return url if person.pk == request.user.pk else f"{url}?user={person.pk}"


def _month_row_html(cells: list[dict[str, Any]]) -> SafeString:
    """One week of the hours month as its ``<td>`` cells, the markup (and the whitespace) the
    template's loop wrote: 42 cells of half a dozen variables each were most of the page's
    rendering. Classes, dates and numbers are the view's own; the link and figure escaped."""
    parts = []
    for cell in cells:
        hours = f'<span class="planner-day-hours">{conditional_escape(cell["figure"])} h</span>'
        parts.append(
            f'\n          <td class="{cell["classes"]}" data-day="{cell["iso"]}">'
            f'<a class="planner-day-link" href="{conditional_escape(cell["url"])}">'
            f'<span class="planner-date">{cell["number"]}</span>'
            f"{hours if cell['figure'] else ''}</a></td>\n        "
        )
    return mark_safe("".join(parts))  # noqa: S308 - escaped above


@role_required(*EVERYONE)
def hours_month(request: HttpRequest) -> HttpResponse:
    """A person's month: hours per day, totals per kind and for the month."""
    person = selectors.get_person_for(request.user, _int_param(request, "user"))
    first = _parse_month(request.GET.get("month"))
    last = selectors.month_last(first)
    per_day, per_kind = selectors.month_hours(person, first, last)
    today = timezone.localdate()
    # Each day's link, date and figure built here once (a month is 35-42 cells).
    day_url = url_pattern("planner:hours_day", DAY_MARKER)
    query = "" if person.pk == request.user.pk else f"?user={person.pk}"
    weeks = []
    for week in selectors.month_weeks(first):
        cells = []
        for day in week:
            iso = day.isoformat()
            hours = per_day.get(day)
            classes = "planner-cell"
            if day.month != first.month:
                classes += " planner-other-month"
            if day == today:
                classes += " planner-today"
            cells.append(
                {
                    "day": day,
                    "iso": iso,
                    "number": day.day,
                    "url": day_url.format(iso) + query,
                    "classes": classes,
                    "hours": hours,
                    "figure": floatformat(hours, "-2") if hours else "",
                }
            )
        weeks.append(cells)
    context = {
        "person": person,
        "first": first,
        "weeks": weeks,
        "week_rows": [_month_row_html(cells) for cells in weeks],
        "per_kind": per_kind,
        "total": sum(per_day.values(), 0),
        "previous": selectors.add_months(first, -1),
        "following": selectors.add_months(first, 1),
        "today": today,
        "people": list(selectors.technicians()) if access.is_administrator(request.user) else [],
        "own": person.pk == request.user.pk,
    }
    return render(request, "planner/hours_month.html", context)


@role_required(*EVERYONE)
def hours_day(request: HttpRequest, day: str) -> HttpResponse:
    """One person's entries of one day: each says what it refers to; add a new one."""
    person = selectors.get_person_for(request.user, _int_param(request, "user"))
    the_day = _parse_day(day)
    form = TimeEntryForm(
        request.POST or None, person=person, day=the_day, initial={"date": the_day}
    )
    if request.method == "POST" and form.is_valid():
        try:
            with idempotency.once(form.cleaned_data["submission_token"], request.user):
                services.record_time_entry(
                    acting_user=request.user, user=person, **_entry_kwargs(form.cleaned_data)
                )
        except idempotency.AlreadySubmitted:
            messages.info(request, idempotency.ALREADY_SAVED)
            return redirect(_hours_day_url(person, the_day, request))
        except PlannerError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Hours recorded."))
            return redirect(_hours_day_url(person, the_day, request))
    entries = selectors.day_entries(person, the_day)
    context = {
        "person": person,
        "day": the_day,
        "entries": entries,
        "total": sum((entry.hours for entry in entries), 0),
        "form": form,
        "future": the_day > timezone.localdate(),
        "previous": the_day - datetime.timedelta(days=1),
        "following": the_day + datetime.timedelta(days=1),
        "user_query": "" if person.pk == request.user.pk else f"?user={person.pk}",
    }
    return render(request, "planner/hours_day.html", context)


@role_required(*EVERYONE)
def time_entry_update(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_time_entry_for(request.user, pk)
    initial = {
        "date": entry.date,
        "kind": entry.kind,
        "start_time": entry.start_time,
        "end_time": entry.end_time,
        "hours": None if entry.start_time else entry.hours,
        "intervention": entry.intervention_id,
        "activity": entry.activity_id,
        "description": entry.description,
        "rate": entry.rate,
        "version": entry.version,
    }
    form = TimeEntryForm(request.POST or None, person=entry.user, current=entry, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_time_entry(
                entry=entry,
                acting_user=request.user,
                version=form.cleaned_data["version"],
                **_entry_kwargs(form.cleaned_data),
            )
        except PlannerError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Hours saved."))
            return redirect(_hours_day_url(entry.user, form.cleaned_data["date"], request))
    context = {"entry": entry, "form": form}
    return render(request, "planner/time_entry_form.html", context)


@require_POST
@role_required(*EVERYONE)
def time_entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_time_entry_for(request.user, pk)
    try:
        services.delete_time_entry(entry=entry, acting_user=request.user)
    except PlannerError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Hours deleted."))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(_hours_day_url(entry.user, entry.date, request))


@role_required(*ADMINISTRATORS)
def team_hours(request: HttpRequest) -> HttpResponse:
    """Everyone's month: totals per person and per kind of work."""
    first = _parse_month(request.GET.get("month"))
    context = {
        "first": first,
        "team": selectors.team_month(first, selectors.month_last(first)),
        "previous": selectors.add_months(first, -1),
        "following": selectors.add_months(first, 1),
        "month_param": first.strftime("%Y-%m"),
    }
    return render(request, "planner/team_hours.html", context)


def _export_too_large(request: HttpRequest, first: datetime.date, kind: str):
    back = f"{reverse('planner:team_hours')}?month={first:%Y-%m}"
    entries = selectors.team_entries(first, selectors.month_last(first))
    return limits.too_large(request, entries, kind=kind, back=back)


@role_required(*ADMINISTRATORS)
def team_hours_csv(request: HttpRequest) -> HttpResponse:
    first = _parse_month(request.GET.get("month"))
    return _export_too_large(request, first, limits.CSV) or exports.csv_response(
        request, first, selectors.month_last(first)
    )


@role_required(*ADMINISTRATORS)
def team_hours_xlsx(request: HttpRequest) -> HttpResponse:
    first = _parse_month(request.GET.get("month"))
    return _export_too_large(request, first, limits.EXCEL) or exports.xlsx_response(
        first, selectors.month_last(first)
    )


# --- Hours of one intervention (section 4 of the call management page) ---------------------
@role_required(*EVERYONE)
def intervention_hours(request: HttpRequest, pk: int) -> HttpResponse:
    """The time entries of one intervention; htmx swaps the partial in the calls page."""
    intervention = selectors.get_intervention_for_hours(request.user, pk)
    user = request.user
    person = access.hours_person(intervention, user)
    # A POST on frozen hours reaches the service, which refuses it with its message.
    may_add = access.may_book_hours_on(intervention, user, user) and (
        request.method == "POST" or access.may_add_hours_to(intervention, user)
    )
    form = None
    if may_add and person is not None:
        form = TimeEntryForm(
            request.POST or None,
            person=person,
            intervention=intervention,
            initial={"date": timezone.localdate(), "kind": "labour"},
        )
        if request.method == "POST" and offline.is_queued(request):
            return _queued_intervention_hours(request, intervention, person, form)
        if request.method == "POST" and form.is_valid():
            done, form = _record_intervention_hours(request, intervention, person, form)
            if done is not None:
                return done
    elif request.method == "POST":
        raise Http404
    template = "planner/intervention_hours.html"
    if not _is_htmx(request):
        template = "planner/intervention_hours_page.html"
    return render(request, template, _intervention_hours_context(request, intervention, form))


def _queued_intervention_hours(
    request: HttpRequest, intervention: Intervention, person: Any, form: TimeEntryForm
) -> HttpResponse:
    """Hours sent later by the phone's outbox: a JSON answer (``service_portal.offline``);
    refused when the job changed since the copy they were typed on."""
    if refusal := offline.wrong_sender(request):
        return refusal
    if not form.is_valid():
        return offline.refused(offline.form_errors(form), _job_version(intervention))
    data = {**form.cleaned_data, "intervention": intervention}
    try:
        with idempotency.once(data["submission_token"], request.user):
            offline.check_fresh(request, Intervention, intervention.pk)
            services.record_time_entry(acting_user=request.user, user=person, **_entry_kwargs(data))
    except idempotency.AlreadySubmitted:
        return offline.answer(
            offline.ALREADY_SAVED, idempotency.ALREADY_SAVED, version=_job_version(intervention)
        )
    except offline.StaleCopy as stale:
        return offline.conflict(stale.version)
    except PlannerError as error:
        return offline.refused(error.message, _job_version(intervention))
    return offline.answer(offline.SAVED, _("Hours recorded."), version=_job_version(intervention))


def _job_version(intervention: Intervention) -> int:
    return Intervention.objects.values_list("version", flat=True).get(pk=intervention.pk)


def _record_intervention_hours(
    request: HttpRequest, intervention: Intervention, person: Any, form: TimeEntryForm
) -> tuple[HttpResponse | None, TimeEntryForm]:
    """Save the entry of a valid ``form``: a redirect for a plain POST; for htmx, the section
    again with an empty form (or the same form with the service's refusal)."""
    data = {**form.cleaned_data, "intervention": intervention}
    try:
        with idempotency.once(data["submission_token"], request.user):
            services.record_time_entry(acting_user=request.user, user=person, **_entry_kwargs(data))
    except idempotency.AlreadySubmitted:
        messages.info(request, idempotency.ALREADY_SAVED)
        return redirect(request.path), form
    except PlannerError as error:
        show_error(request, error, form)
        return None, form
    if not _is_htmx(request):
        messages.success(request, _("Hours recorded."))
        return redirect(request.path), form
    fresh = TimeEntryForm(
        person=person,
        intervention=intervention,
        initial={"date": data["date"], "kind": data["kind"]},
    )
    return None, fresh


def _intervention_hours_context(
    request: HttpRequest, intervention: Intervention, form: TimeEntryForm | None
) -> dict[str, Any]:
    entries = selectors.intervention_entries(intervention)
    for entry in entries:
        entry.editable = entry.editable and access.may_record_hours_for(request.user, entry.user)
    back = request.path
    if _is_htmx(request) and request.htmx.current_url_abs_path:
        back = request.htmx.current_url_abs_path
    return {
        "back_url": back,
        "intervention": intervention,
        "entries": entries,
        "form": form,
        "frozen": intervention.state in services.HOURS_FROZEN_STATES,
        "labour": sum((e.hours for e in entries if e.kind == "labour"), 0),
        "travel": sum((e.hours for e in entries if e.kind == "travel"), 0),
        "total": sum((e.hours for e in entries), 0),
    }


# --- Calendar feed --------------------------------------------------------------------------
@role_required(*EVERYONE)
def feed_settings(request: HttpRequest) -> HttpResponse:
    """Show, renew or revoke the secret link of the signed-in person's calendar feed."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_feed_token(user=request.user)
            messages.success(request, _("The calendar link has been revoked."))
        else:
            services.regenerate_feed_token(user=request.user)
            messages.success(
                request, _("A new calendar link has been created; the old one no longer works.")
            )
        return redirect("planner:feed_settings")
    feed_obj = CalendarFeed.objects.filter(user=request.user).first()
    url = None
    if feed_obj is not None:
        url = request.build_absolute_uri(reverse("planner:feed", args=[feed_obj.token]))
    return render(request, "planner/feed_settings.html", {"feed": feed_obj, "feed_url": url})


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed: public, but only for whoever knows the secret token."""
    feed_obj = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed_obj is None:
        raise Http404
    text = ical.calendar_for(feed_obj.user, selectors.feed_activities(feed_obj.user))
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="planner.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
