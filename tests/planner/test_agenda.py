"""The technician's agenda ("My calendar" on a phone): seven days from today, each visit with what
the technician needs on the road; the month grid stays for wide screens. Fixed query count."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from calls.models import Call
from planner import services
from planner.models import ActivityKind
from tests.factories import make_contact, make_user
from tests.planner.factories import at, make_activity, ready_intervention, today

pytestmark = pytest.mark.django_db

URL = reverse("planner:my_calendar")


def _visit(technician, day, hour=9, notes="Gate code 1234; ask for Giulia"):
    """A job of a customer with a contact, planned for ``technician`` on ``day``."""
    intervention = ready_intervention()
    call = intervention.call
    site = call.site
    site.address = "Via Roma 12"
    site.city = "Bologna"
    site.save()
    call.contact = make_contact(
        call.customer, site=site, name="Giulia Neri", phone="+39 051 123456"
    )
    call.received_at = timezone.now() - datetime.timedelta(days=30)
    call.save()
    Call.objects.filter(pk=call.pk).update(received_at=call.received_at)
    intervention.refresh_from_db()
    return services.plan_intervention(
        intervention=intervention,
        technician=technician,
        start=at(day, hour),
        end=at(day, hour + 2),
        acting_user=make_user(None, Role.OPERATOR),
        notes=notes,
        confirm=True,
    ).activity


def _agenda(response):
    return response.content.decode().split('data-testid="agenda"', 1)[1].split("</section>")[0]


def test_the_agenda_lists_today_first_with_what_a_visit_needs(client_for, technician):
    activity = _visit(technician, today() + datetime.timedelta(days=1))
    intervention = activity.intervention
    unit = intervention.call.unit
    make_activity(technician, ActivityKind.OFFICE, start=at(today(), 8), end=at(today(), 10))
    response = client_for(technician).get(URL)
    assert response.status_code == 200
    agenda = _agenda(response)
    days = [part.split('"', 1)[0] for part in agenda.split('data-day="')[1:]]
    assert days[0] == today().isoformat()
    assert len(days) == 7
    visit = agenda.split(f'data-day="{(today() + datetime.timedelta(days=1)).isoformat()}"')[1]
    assert "11:00" in visit and "09:00" in visit  # the time slot
    assert intervention.call.customer.name in visit
    assert 'href="geo:0,0?q=' in visit and "Via%20Roma%2012" in visit
    assert 'href="https://www.openstreetmap.org/search?' in visit
    assert 'href="tel:+39051123456"' in visit
    assert unit.serial_number in visit
    assert intervention.type.name in visit
    assert "Gate code 1234" in visit
    assert visit.count(f'href="{intervention.get_absolute_url()}"') == 2  # the name and a button
    # The month grid is still there, for wide screens; the stylesheet shows one or the other.
    html = response.content.decode()
    assert 'class="d-lg-none" data-testid="agenda"' in html
    assert 'class="d-none d-lg-block" data-testid="month-grid"' in html


def test_the_agenda_pages_by_week_and_shows_only_the_technicians_own_visits(
    client_for, technician, other_technician
):
    theirs = _visit(other_technician, today(), notes="Not for you")
    later = today() + datetime.timedelta(days=8)
    mine = _visit(technician, later, notes="Bring the long ladder")
    client = client_for(technician)
    this_week = _agenda(client.get(URL))
    assert "Not for you" not in this_week
    assert theirs.intervention.code not in this_week
    assert "Bring the long ladder" not in this_week
    following = today() + datetime.timedelta(days=7)
    assert f'href="?from={following.isoformat()}"' in this_week
    next_week = _agenda(client.get(f"{URL}?from={following.isoformat()}"))
    assert "Bring the long ladder" in next_week
    assert mine.intervention.get_absolute_url() in next_week


@pytest.mark.parametrize("value", ["yesterday", "2026-13-40", "0001-01-01", "'; drop table"])
def test_a_bad_start_day_shows_this_week(client_for, technician, value):
    response = client_for(technician).get(URL, {"from": value})
    assert response.status_code == 200
    assert f'data-day="{today().isoformat()}"' in _agenda(response)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_agenda_runs_a_fixed_number_of_queries(client_for, technician):
    client = client_for(technician)
    _visit(technician, today())
    small = _count(client, URL)
    for k in range(8):
        _visit(technician, today() + datetime.timedelta(days=k % 6), hour=8 + k % 4 * 2)
        make_activity(
            technician,
            ActivityKind.TRAINING,
            start=at(today() + datetime.timedelta(days=k % 5), 18),
            end=at(today() + datetime.timedelta(days=k % 5), 19),
        )
    agenda = _agenda(client.get(URL))
    assert agenda.count('data-testid="agenda-visit"') >= 17
    assert _count(client, URL) == small
