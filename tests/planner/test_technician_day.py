"""The technician's day: the home and the job page show the planned visits (day, time slot,
the planner's note), the place with map links, whom to call, the machine and what to bring;
the planning e-mail and the calendar feed carry the same facts and a link to the job."""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import State
from planner import services
from tests.calls.factories import make_intervention
from tests.planner.factories import at, next_monday, ready_intervention

pytestmark = pytest.mark.django_db


def _plan(technician, *, operator, hour=9, notes="Call 30 min before", day=None):
    intervention = ready_intervention()
    call = intervention.call
    call.site.address, call.site.postal_code, call.site.city = "Via Roma 12", "24100", "Bergamo"
    call.site.save()
    intervention.what_to_bring = "Filter kit"
    intervention.save(update_fields=["what_to_bring"])
    services.plan_intervention(
        intervention=intervention,
        technician=technician,
        start=at(day or next_monday(), hour),
        end=at(day or next_monday(), hour + 3),
        acting_user=operator,
        notes=notes,
        confirm=True,
    )
    intervention.refresh_from_db()
    return intervention


def _body(client, url):
    return html.unescape(client.get(url).content.decode())


class TestHome:
    def test_shows_the_visit_the_place_the_contact_and_what_to_bring(
        self, client_for, technician, operator
    ):
        planned = _plan(technician, operator=operator)
        waiting = make_intervention(State.EXPECTED, technician=technician)
        body = _body(client_for(technician), reverse("calls:my_interventions"))
        call = planned.call
        assert "Call 30 min before" in body  # the planner's note
        assert "09:00" in body and "12:00" in body  # the time slot
        assert "Via Roma 12, 24100 Bergamo" in body
        assert 'href="geo:0,0?q=' in body and "openstreetmap.org/search?query=" in body
        assert f'href="{call.contact.phone_uri}"' in body
        assert call.unit.serial_number in body and "Filter kit" in body
        assert planned.get_absolute_url() in body
        # not planned yet: it says so, with the requested date
        assert waiting.get_absolute_url() in body and "No visit planned yet" in body
        # the next visit first
        assert body.index(planned.code) < body.index(waiting.code)

    def test_runs_a_fixed_number_of_queries_whatever_the_visits(
        self, client_for, technician, operator
    ):
        _plan(technician, operator=operator)
        client = client_for(technician)
        url = reverse("calls:my_interventions")
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for hour in (7, 10, 13, 16):
            _plan(technician, operator=operator, hour=hour)
        make_intervention(State.EXPECTED, technician=technician)
        with CaptureQueriesContext(connection) as large:
            response = client.get(url)
        assert len(response.context["object_list"]) == 6
        assert len(large) == len(small)

    def test_another_technicians_job_and_contact_stay_hidden(
        self, client_for, technician, other_technician, operator
    ):
        theirs = _plan(other_technician, operator=operator)
        client = client_for(technician)
        body = _body(client, reverse("calls:my_interventions"))
        assert theirs.code not in body and theirs.call.contact.phone not in body
        assert client.get(theirs.get_absolute_url()).status_code == 404


class TestJobPage:
    def test_shows_the_visit_and_the_planners_note(self, client_for, technician, operator):
        planned = _plan(technician, operator=operator)
        body = _body(client_for(technician), planned.get_absolute_url())
        assert 'data-testid="job-card"' in body
        assert "Call 30 min before" in body and "Via Roma 12" in body
        assert 'data-testid="call-contact"' in body and "Filter kit" in body


class TestEmailAndFeed:
    def test_the_planning_email_carries_address_phone_serial_and_link(
        self, technician, operator, django_capture_on_commit_callbacks, settings
    ):
        with django_capture_on_commit_callbacks(execute=True):
            planned = _plan(technician, operator=operator)
        body = mail.outbox[-1].body
        call = planned.call
        assert "Via Roma 12, 24100 Bergamo" in body
        assert call.contact.phone in body and call.unit.serial_number in body
        assert settings.SITE_URL + planned.get_absolute_url() in body
        assert "Call 30 min before" in body and "Filter kit" in body

    def test_the_feed_carries_the_same(self, client, technician, operator, settings):
        planned = _plan(technician, operator=operator)
        token = services.regenerate_feed_token(user=technician).token
        text = client.get(reverse("planner:feed", args=[token])).content.decode()
        unfolded = text.replace("\r\n ", "").replace("\\,", ",").replace("\\n", "\n")
        call = planned.call
        assert "LOCATION:" in unfolded and "Via Roma 12, 24100 Bergamo" in unfolded
        assert call.contact.phone in unfolded and call.unit.serial_number in unfolded
        assert f"URL:{settings.SITE_URL}{planned.get_absolute_url()}" in unfolded
