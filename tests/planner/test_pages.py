"""Planner pages: what each role sees, the forms, the totals, fixed query counts."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from calls.models import State
from planner import services
from planner.models import Activity, ActivityKind, TimeEntry, WorkKind
from tests.downloads import csv_rows, workbook
from tests.factories import make_user
from tests.planner.factories import (
    at,
    make_activity,
    make_entry,
    make_planned,
    next_monday,
    ready_intervention,
    today,
    yesterday,
)

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def _crowd(technicians: int, per_technician: int, day: datetime.date):
    """Technicians with activities (some on interventions) and hours, for the query counts."""
    for n in range(technicians):
        person = make_user(None, Role.TECHNICIAN)
        for k in range(per_technician):
            make_activity(
                person,
                ActivityKind.TRAINING,
                start=at(day + datetime.timedelta(days=k % 5), 8),
                end=at(day + datetime.timedelta(days=k % 5), 9),
            )
        make_planned(person, day=day + datetime.timedelta(days=n % 5))
        ready_intervention()
        make_entry(person, hours=Decimal("3"))
        make_entry(person, hours=Decimal("1"), kind=WorkKind.TRAINING)


# --- Board ----------------------------------------------------------------------------------
def test_board_shows_technicians_activities_load_and_interventions_to_plan(
    operator_client, technician
):
    activity = make_planned(technician)
    waiting = ready_intervention(State.QUOTED)
    response = operator_client.get(
        reverse("planner:board"), {"date": activity.start.date().isoformat()}
    )
    html = response.content.decode()
    assert str(technician) in html
    assert activity.intervention.code in html
    assert waiting.code in html
    assert reverse("planner:plan", args=[waiting.pk]) in html
    assert "<meter" in html  # the load per technician
    row = next(r for r in response.context["rows"] if r.technician == technician)
    assert row.hours == Decimal("4.00") and row.capacity == Decimal("40")
    assert activity.intervention.code not in [i.code for i in response.context["unplanned"]]


def test_board_cells_link_each_technicians_day_and_show_its_activities(operator_client, technician):
    day = next_monday()
    planned = make_planned(technician, day=day)
    make_activity(technician, ActivityKind.HOLIDAY, start=at(day, 14), end=at(day, 18))
    make_activity(technician, ActivityKind.TRAINING, notes="Safety <course>")
    url = reverse("planner:board")
    month = operator_client.get(url, {"view": "month", "date": day.isoformat()}).content.decode()
    day_url = reverse("planner:day", args=[technician.pk, day.isoformat()])
    at_day = month.index(f'data-day="{day.isoformat()}" data-technician="{technician.pk}"')
    start = month.rindex("<td", 0, at_day)
    cell = month[start : month.index("</td>", at_day)]
    assert "planner-absent" in cell
    assert f'href="{day_url}"' in cell
    assert f'<span class="visually-hidden">{technician}, ' in cell  # the link's name
    # The visit (4 h) and the training (2 h) count; the holiday does not.
    assert '<span class="badge text-bg-light planner-hours">6 h</span>' in cell
    assert f'title="Intervention {planned.intervention.code}"' in cell
    assert 'class="planner-dot planner-kind-holiday" title="Holiday"' in cell
    week = operator_client.get(url, {"view": "week", "date": day.isoformat()}).content.decode()
    customer = planned.intervention.call.customer.name[:23]
    assert f"09:00–13:00</span> {planned.intervention.code} · {customer}" in week
    assert 'title="Training: Safety &lt;course&gt;"' in week  # notes escaped


@pytest.mark.parametrize("view", ["week", "month"])
def test_board_runs_a_fixed_number_of_queries(view, operator_client):
    day = next_monday()
    url = f"{reverse('planner:board')}?view={view}&date={day.isoformat()}"
    _crowd(1, 1, day)
    small = _count(operator_client, url)
    _crowd(8, 6, day)
    assert _count(operator_client, url) == small
    assert small <= 6


def test_my_calendar_and_hours_month_run_a_fixed_number_of_queries(client_for, technician):
    day = next_monday()
    client = client_for(technician)
    urls = [
        f"{reverse('planner:my_calendar')}?month={day:%Y-%m}",
        f"{reverse('planner:hours_month')}?month={yesterday():%Y-%m}",
        f"{reverse('planner:hours_day', args=[yesterday().isoformat()])}",
        reverse("planner:team_hours"),
    ]
    make_activity(technician, start=at(day, 8), end=at(day, 9))
    make_entry(technician)
    counts = [_count(client, url) for url in urls[:3]]
    admin = client_for(make_user(None, Role.ADMINISTRATOR))
    team = _count(admin, urls[3])
    for k in range(10):
        make_activity(
            technician,
            start=at(day + datetime.timedelta(days=k % 4), 10 + k // 4),
            end=at(day + datetime.timedelta(days=k % 4), 11 + k // 4),
        )
        make_planned(technician, day=day + datetime.timedelta(days=k % 3))
        make_entry(technician, hours=Decimal("0.5"))
        make_entry(make_user(None, Role.TECHNICIAN), hours=Decimal("1"))
    assert [_count(client, url) for url in urls[:3]] == counts
    assert _count(admin, urls[3]) == team


def test_technicians_do_not_see_the_board(technician_client):
    assert technician_client.get(reverse("planner:board")).status_code == 403


# --- Day details ----------------------------------------------------------------------------
def test_a_technician_sees_only_their_own_days_and_activities(
    client_for, technician, other_technician
):
    mine = make_activity(technician)
    theirs = make_activity(other_technician)
    client = client_for(technician)
    day = mine.start.date().isoformat()
    response = client.get(reverse("planner:day", args=[technician.pk, day]))
    assert response.status_code == 200
    assert list(response.context["activities"]) == [mine]
    assert client.get(reverse("planner:day", args=[other_technician.pk, day])).status_code == 404
    assert client.get(reverse("planner:activity_update", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("planner:activity_delete", args=[theirs.pk]))
    assert response.status_code == 404
    assert Activity.objects.filter(pk=theirs.pk).exists()
    response = client.post(
        reverse("planner:activity_update", args=[mine.pk]),
        {
            "technician": other_technician.pk,  # ignored: a technician changes only their own
            "kind": ActivityKind.TRAINING,
            "date": day,
            "start_time": "10:00",
            "end_time": "12:00",
            "notes": "Safety course",
            "version": mine.version,
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.technician, mine.kind, mine.notes) == (technician, "training", "Safety course")


def test_a_bad_day_is_not_found(technician_client, technician):
    url = reverse("planner:day", args=[technician.pk, "2026-02-30"])
    assert technician_client.get(url).status_code == 404


def test_adding_an_activity_warns_about_overlaps_and_needs_confirmation(
    operator_client, technician
):
    day = next_monday()
    make_activity(technician, ActivityKind.HOLIDAY, start=at(day, 0), end=at(day, 23))
    url = reverse("planner:day", args=[technician.pk, day.isoformat()])
    data = {
        "technician": technician.pk,
        "kind": ActivityKind.OFFICE,
        "date": day.isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "submission_token": str(uuid.uuid4()),
    }
    response = operator_client.post(url, data)
    assert response.status_code == 200
    assert "is absent" in response.content.decode()
    assert 'type="checkbox" name="confirm"' in response.content.decode()
    assert Activity.objects.count() == 1
    response = operator_client.post(url, {**data, "confirm": "on"})
    assert response.status_code == 302
    assert Activity.objects.count() == 2


def test_an_all_day_absence_over_several_days(technician_client, technician):
    day = next_monday()
    url = reverse("planner:day", args=[technician.pk, day.isoformat()])
    response = technician_client.post(
        url,
        {
            "technician": technician.pk,
            "kind": ActivityKind.HOLIDAY,
            "date": day.isoformat(),
            "all_day": "on",
            "end_date": (day + datetime.timedelta(days=2)).isoformat(),
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    holiday = Activity.objects.get()
    assert holiday.all_day and holiday.end - holiday.start == datetime.timedelta(days=3)


def test_a_technician_cannot_remove_a_planned_intervention(technician_client, technician):
    activity = make_planned(technician)
    response = technician_client.post(
        reverse("planner:activity_delete", args=[activity.pk]), follow=True
    )
    assert "planned by the office" in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()


# --- Planning form --------------------------------------------------------------------------
def test_planning_from_the_form_with_conflict_confirmation(operator_client, technician):
    intervention = ready_intervention()
    day = next_monday()
    make_activity(technician, start=at(day, 8), end=at(day, 10))
    url = reverse("planner:plan", args=[intervention.pk])
    response = operator_client.get(url, {"technician": technician.pk, "date": day.isoformat()})
    assert response.context["form"].initial["technician"] == technician.pk
    data = {
        "technician": technician.pk,
        "date": day.isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        "submission_token": response.context["form"].initial["submission_token"],
    }
    response = operator_client.post(url, data)
    assert response.status_code == 200 and "overlaps" in response.content.decode()
    intervention.refresh_from_db()
    assert intervention.state == State.EXPECTED
    response = operator_client.post(url, {**data, "confirm": "on"})
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED and intervention.technician == technician


def test_planning_a_done_intervention_shows_the_reason(operator_client, technician):
    intervention = ready_intervention(State.DONE, technician=technician)
    response = operator_client.post(
        reverse("planner:plan", args=[intervention.pk]),
        {
            "technician": technician.pk,
            "date": next_monday().isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert "Only an expected or quoted intervention" in response.content.decode()


# --- Hours ----------------------------------------------------------------------------------
def test_hours_month_shows_day_and_month_totals(technician_client, technician):
    day = yesterday()
    make_entry(technician, date=day, hours=Decimal("3.5"), kind=WorkKind.OFFICE)
    make_entry(technician, date=day, hours=Decimal("1.25"), kind=WorkKind.TRAINING)
    earlier = day.replace(day=1) if day.day > 1 else day
    if earlier != day:
        make_entry(technician, date=earlier, hours=Decimal("2"), kind=WorkKind.OFFICE)
    make_entry(make_user(None, Role.TECHNICIAN), date=day, hours=Decimal("7"))
    response = technician_client.get(reverse("planner:hours_month"), {"month": f"{day:%Y-%m}"})
    cells = {cell["day"]: cell["hours"] for week in response.context["weeks"] for cell in week}
    assert cells[day] == Decimal("4.75")
    expected_total = Decimal("4.75") + (Decimal("2") if earlier != day else 0)
    assert response.context["total"] == expected_total
    kinds = {row["kind"]: row["total"] for row in response.context["per_kind"]}
    assert kinds[WorkKind.TRAINING] == Decimal("1.25")
    assert f'data-testid="month-total">{expected_total:.2f}' in response.content.decode()


# The month's body as the template's loop wrote it before the rows were built in Python.
MONTH_BODY = Template(
    """{% for week in weeks %}
        <tr>
        {% for cell in week %}
          <td class="{{ cell.classes }}" data-day="{{ cell.iso }}"><a class="planner-day-link" href="{{ cell.url }}"><span class="planner-date">{{ cell.number }}</span>{% if cell.figure %}<span class="planner-day-hours">{{ cell.figure }} h</span>{% endif %}</a></td>
        {% endfor %}
        </tr>
      {% endfor %}"""  # noqa: E501 (the template's lines as they were)
)


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_hours_month_cells_are_the_templates(
    admin_client_, administrator, technician, language
):
    administrator.language = language
    administrator.save(update_fields=["language"])
    day = yesterday()
    make_entry(technician, date=day, hours=Decimal("3.5"))
    make_entry(technician, date=day.replace(day=1), hours=Decimal("0.25"))
    # The technician's month (figures, links with ?user=) and the administrator's own.
    for query, figures in (({"month": f"{day:%Y-%m}", "user": technician.pk}, True), ({}, False)):
        response = admin_client_.get(reverse("planner:hours_month"), query)
        with translation.override(language):
            body = MONTH_BODY.render(Context({"weeks": response.context["weeks"]}))
        assert f"<tbody>\n      {body}\n      </tbody>" in response.content.decode()
        assert ("planner-day-hours" in body) is figures


def test_a_technician_cannot_see_anothers_hours(client_for, technician, other_technician):
    entry = make_entry(other_technician)
    client = client_for(technician)
    assert (
        client.get(reverse("planner:hours_month"), {"user": other_technician.pk}).status_code == 404
    )
    url = reverse("planner:hours_day", args=[entry.date.isoformat()])
    assert client.get(url, {"user": other_technician.pk}).status_code == 404
    response = client.get(url)
    assert list(response.context["entries"]) == []
    assert client.get(reverse("planner:time_entry_update", args=[entry.pk])).status_code == 404
    assert client.post(reverse("planner:time_entry_delete", args=[entry.pk])).status_code == 404
    assert TimeEntry.objects.filter(pk=entry.pk).exists()


def test_the_administrator_sees_and_changes_anyones_hours(admin_client_, technician):
    entry = make_entry(technician, hours=Decimal("2"))
    response = admin_client_.get(reverse("planner:hours_month"), {"user": technician.pk})
    assert response.context["person"] == technician
    url = reverse("planner:time_entry_update", args=[entry.pk])
    response = admin_client_.post(
        url,
        {
            "date": entry.date.isoformat(),
            "kind": WorkKind.OFFICE,
            "hours": "3",
            "description": "Reports",
            "version": entry.version,
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.hours == Decimal("3") and entry.user == technician


def test_recording_hours_on_a_day_and_the_limits(technician_client, technician):
    day = yesterday()
    url = reverse("planner:hours_day", args=[day.isoformat()])
    response = technician_client.post(
        url,
        {
            "date": day.isoformat(),
            "kind": WorkKind.OFFICE,
            "start_time": "08:00",
            "end_time": "12:00",
            "description": "Stock count",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert TimeEntry.objects.get().hours == Decimal("4.00")
    response = technician_client.post(
        url,
        {
            "date": day.isoformat(),
            "kind": WorkKind.OFFICE,
            "start_time": "11:00",
            "end_time": "13:00",
            "description": "More",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert "overlaps another entry" in response.content.decode()
    future = today() + datetime.timedelta(days=3)
    response = technician_client.post(
        reverse("planner:hours_day", args=[future.isoformat()]),
        {
            "date": future.isoformat(),
            "kind": WorkKind.OFFICE,
            "hours": "1",
            "description": "x",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert "future day" in response.content.decode()
    response = technician_client.get(url)
    assert "Stock count" in response.content.decode()
    assert response.context["total"] == Decimal("4.00")


def test_team_view_totals_per_person_and_kind(admin_client_, technician, other_technician):
    day = yesterday()
    make_entry(technician, date=day, hours=Decimal("3"), kind=WorkKind.OFFICE)
    make_entry(technician, date=day, hours=Decimal("2"), kind=WorkKind.TRAINING)
    make_entry(other_technician, date=day, hours=Decimal("4.5"), kind=WorkKind.OFFICE)
    make_entry(other_technician, date=day - datetime.timedelta(days=40), hours=Decimal("8"))
    response = admin_client_.get(reverse("planner:team_hours"), {"month": f"{day:%Y-%m}"})
    team = response.context["team"]
    by_person = {row.person: row for row in team.rows}
    kinds = [kind for kind, _label in team.kinds]
    assert by_person[technician].total == Decimal("5")
    assert by_person[technician].per_kind[kinds.index(WorkKind.TRAINING)] == Decimal("2")
    assert by_person[other_technician].total == Decimal("4.5")
    assert team.kind_totals[kinds.index(WorkKind.OFFICE)] == Decimal("7.5")
    assert team.total == Decimal("9.5")


def test_team_exports(admin_client_, technician):
    day = yesterday()
    make_entry(technician, date=day, hours=Decimal("2.5"), description="Caffè, manuali; note")
    response = admin_client_.get(reverse("planner:team_hours_csv"), {"month": f"{day:%Y-%m}"})
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0][0] == "Date" and rows[1][0] == day.isoformat()
    assert rows[1][5] == "2.50" and rows[1][8] == "Caffè, manuali; note"
    response = admin_client_.get(reverse("planner:team_hours_xlsx"), {"month": f"{day:%Y-%m}"})
    sheet = workbook(response).active
    assert sheet.cell(row=2, column=2).value == str(technician)
    assert float(sheet.cell(row=2, column=6).value) == 2.5


def test_invoiced_entries_are_shown_read_only(technician_client, technician):
    intervention = make_planned(technician).intervention
    entry = make_entry(technician, kind=WorkKind.LABOUR, intervention=intervention)
    type(intervention).objects.filter(pk=intervention.pk).update(state=State.INVOICED)
    response = technician_client.get(reverse("planner:hours_day", args=[entry.date.isoformat()]))
    html = response.content.decode()
    assert reverse("planner:time_entry_update", args=[entry.pk]) not in html
    assert "invoiced" in html


# --- Hours of one intervention (for the call management page) -------------------------------
def test_intervention_hours_partial_lists_and_adds(client_for, technician, operator):
    activity = make_planned(technician)
    intervention = activity.intervention
    url = reverse("planner:intervention_hours", args=[intervention.pk])
    client = client_for(technician)
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.templates[0].name == "planner/intervention_hours.html"
    response = client.post(
        url,
        {
            "date": yesterday().isoformat(),
            "kind": WorkKind.TRAVEL,
            "hours": "1.5",
            "description": "To the customer",
            "submission_token": str(uuid.uuid4()),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    entry = TimeEntry.objects.get()
    assert (entry.intervention, entry.user, entry.kind) == (intervention, technician, "travel")
    assert response.context["travel"] == Decimal("1.5")
    # The office reads them but does not record hours for the technician.
    response = client_for(operator).get(url)
    assert response.context["form"] is None and "To the customer" in response.content.decode()
    assert client_for(operator).post(url, {"hours": "1"}).status_code == 404


def test_intervention_hours_of_another_technician_are_not_found(client_for, other_technician):
    intervention = make_planned(make_user(None, Role.TECHNICIAN)).intervention
    url = reverse("planner:intervention_hours", args=[intervention.pk])
    assert client_for(other_technician).get(url).status_code == 404


def test_the_administrator_records_hours_for_the_assigned_technician(admin_client_, technician):
    intervention = make_planned(technician).intervention
    response = admin_client_.post(
        reverse("planner:intervention_hours", args=[intervention.pk]),
        {
            "date": yesterday().isoformat(),
            "kind": WorkKind.LABOUR,
            "hours": "2",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert TimeEntry.objects.get().user == technician


def test_services_are_reachable_from_the_day_page(operator_client, technician):
    day = next_monday()
    waiting = ready_intervention()
    response = operator_client.get(reverse("planner:day", args=[technician.pk, day.isoformat()]))
    link = f"{reverse('planner:plan', args=[waiting.pk])}?technician={technician.pk}"
    assert link in response.content.decode()
    assert services.PLANNABLE_STATES


def test_pages_follow_the_users_language(client_for, operator, technician):
    operator.language = "it"
    operator.save()
    technician.language = "it"
    technician.save()
    make_planned(technician)
    ready_intervention()
    html = client_for(operator).get(reverse("planner:board"), {"view": "month"}).content.decode()
    assert "Planner attività" in html and "Da pianificare" in html and "Mese" in html
    client = client_for(technician)
    html = client.get(reverse("planner:hours_month")).content.decode()
    assert "Ore lavorate" in html and "Totali del mese" in html
    response = client.post(
        reverse("planner:hours_day", args=[today().isoformat()]),
        {
            "date": today().isoformat(),
            "kind": WorkKind.OFFICE,
            "hours": "25",
            "description": "x",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert "Non più di 24 ore al giorno" in response.content.decode()


def test_day_and_intervention_hours_pages_run_a_fixed_number_of_queries(
    client_for, operator, technician
):
    day = next_monday()
    activity = make_planned(technician, day=day)
    intervention = activity.intervention
    staff = client_for(operator)
    admin = client_for(make_user(None, Role.ADMINISTRATOR))
    urls = [
        (staff, reverse("planner:day", args=[technician.pk, day.isoformat()])),
        (admin, reverse("planner:intervention_hours", args=[intervention.pk])),
    ]
    make_entry(technician, kind=WorkKind.LABOUR, intervention=intervention)
    counts = [_count(client, url) for client, url in urls]
    for k in range(8):
        make_activity(technician, start=at(day, 14 + k), end=at(day, 15 + k))
        ready_intervention()
        make_entry(technician, kind=WorkKind.TRAVEL, intervention=intervention, hours="0.5")
    assert [_count(client, url) for client, url in urls] == counts


def test_intervention_hours_can_be_deleted_back_to_the_calling_page(client_for, technician):
    intervention = make_planned(technician).intervention
    entry = make_entry(technician, kind=WorkKind.LABOUR, intervention=intervention)
    client = client_for(technician)
    url = reverse("planner:intervention_hours", args=[intervention.pk])
    response = client.get(
        url, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/calls/1/1/"}
    )
    html = response.content.decode()
    assert reverse("planner:time_entry_delete", args=[entry.pk]) in html
    assert 'value="/calls/1/1/"' in html
    response = client.post(
        reverse("planner:time_entry_delete", args=[entry.pk]), {"next": "/calls/1/1/"}
    )
    assert response["Location"] == "/calls/1/1/"
    assert not TimeEntry.objects.exists()
    response = client.post(
        reverse("planner:time_entry_delete", args=[make_entry(technician).pk]),
        {"next": "https://evil.example.com/"},
    )
    assert response["Location"].startswith("/planner/hours/")
