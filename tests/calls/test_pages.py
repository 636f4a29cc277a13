"""The new-call page, the management page and its sections (htmx and plain POST)."""

from __future__ import annotations

import html
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Call, Intervention, InterventionNote, NoteKind, State
from customers.models import Contact, Site
from tests.calls.factories import (
    first_intervention,
    make_call,
    make_intervention,
    make_intervention_type,
)
from tests.factories import make_contact, make_customer, make_site, make_unit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _manage(intervention):
    return reverse("calls:manage", args=[intervention.call_id, intervention.number])


def _url(name, intervention):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number])


class TestNewCall:
    def test_operator_creates_a_call_and_lands_on_its_management_page(self, operator_client):
        unit = make_unit(serial_number="CMP-1")
        contact = make_contact(unit.site.customer)
        response = operator_client.post(
            reverse("calls:call_create"),
            {
                "submission_token": str(uuid.uuid4()),
                "customer": unit.site.customer_id,
                "unit": unit.pk,
                "contact": contact.pk,
                "channel": "phone",
                "priority": "high",
                "received_at": "2026-11-20T09:30",
                "description": "Oil leak",
            },
        )
        call = Call.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("calls:manage", args=[call.pk, 1])
        assert call.site == unit.site  # the unit gave the site
        assert call.created_by.username == "oscar"
        assert call.interventions.get().state == State.NEW

    def test_a_double_submit_creates_one_call(self, operator_client):
        unit = make_unit()
        page = operator_client.get(
            reverse("calls:call_create"), {"submission_token": str(uuid.uuid4()), "unit": unit.pk}
        )
        token = page.context["form"].initial["submission_token"]
        data = {
            "submission_token": token,
            "customer": unit.site.customer_id,
            "unit": unit.pk,
            "channel": "phone",
            "priority": "normal",
            "received_at": "2026-11-20T09:30",
            "description": "Twice",
            "no_contact_reason": "Anonymous caller",
        }
        first = operator_client.post(reverse("calls:call_create"), data)
        second = operator_client.post(reverse("calls:call_create"), data)
        assert Call.objects.count() == 1
        assert second.status_code == 302 and second["Location"] == first["Location"]

    def test_another_customers_unit_is_refused_and_the_text_stays(self, operator_client):
        customer = make_customer()
        site = make_site(customer)
        foreign = make_unit()
        response = operator_client.post(
            reverse("calls:call_create"),
            {
                "submission_token": str(uuid.uuid4()),
                "customer": customer.pk,
                "site": site.pk,
                "unit": foreign.pk,
                "channel": "phone",
                "priority": "normal",
                "received_at": "2026-11-20T09:30",
                "description": "Please keep this text",
            },
        )
        assert response.status_code == 200
        assert not Call.objects.exists()
        assert "Please keep this text" in response.content.decode()

    def test_without_a_customer_nothing_is_created(self, operator_client):
        response = operator_client.post(
            reverse("calls:call_create"),
            {"submission_token": str(uuid.uuid4()), "description": "x"},
        )
        assert response.status_code == 200
        assert "Choose the customer first." in response.content.decode()

    def test_the_picker_finds_customers_and_serial_numbers(self, operator_client):
        unit = make_unit(serial_number="ZX-900")
        make_customer(name="Officine Zeta")
        url = reverse("calls:customer_picker")
        body = operator_client.get(url, {"q": "zx-9"}).content.decode()
        assert "ZX-900" in body and unit.site.customer.name in body
        body = operator_client.get(url, {"q": "zeta"}).content.decode()
        assert "Officine Zeta" in body and "ZX-900" not in body

    def test_only_the_customers_own_sites_contacts_and_units_are_offered(self, operator_client):
        mine = make_unit(serial_number="MINE-1")
        make_contact(mine.site.customer, name="My contact")
        other = make_unit(serial_number="OTHER-1")
        make_contact(other.site.customer, name="Their contact")
        body = operator_client.get(
            reverse("calls:customer_fields"), {"customer": mine.site.customer_id}, **HTMX
        ).content.decode()
        assert "MINE-1" in body and "My contact" in body
        assert "OTHER-1" not in body and "Their contact" not in body

    def test_a_unit_link_preselects_customer_site_and_unit(self, operator_client):
        unit = make_unit()
        response = operator_client.get(
            reverse("calls:call_create"), {"submission_token": str(uuid.uuid4()), "unit": unit.pk}
        )
        form = response.context["form"]
        assert form.initial["unit"] == unit.pk and form.initial["site"] == unit.site_id

    def test_a_contact_is_added_on_the_spot_and_the_choices_are_kept(self, operator_client):
        unit = make_unit()
        customer = unit.site.customer
        url = reverse("calls:new_contact", args=[customer.pk])
        form = operator_client.get(url, {"unit": unit.pk}, **HTMX).content.decode()
        assert 'name="new_contact-name"' in form
        response = operator_client.post(
            url,
            {
                "customer": customer.pk,
                "unit": unit.pk,
                "site": unit.site_id,
                "description": "typed so far",
                "new_contact-submission_token": str(uuid.uuid4()),
                "new_contact-name": "Mario Rossi",
                "new_contact-phone": "02 1234567",
                "new_contact-is_active": "on",
            },
            **HTMX,
        )
        contact = Contact.objects.get(name="Mario Rossi")
        assert contact.customer == customer
        fields = response.context["form"]
        assert fields.initial["contact"] == contact.pk
        assert fields.initial["unit"] == str(unit.pk)

    def test_an_invalid_new_contact_shows_its_errors(self, operator_client):
        customer = make_customer()
        response = operator_client.post(
            reverse("calls:new_contact", args=[customer.pk]), {"new_contact-name": ""}, **HTMX
        )
        assert response.context["inline_form"].errors
        assert not Contact.objects.exists()

    def test_a_site_is_added_on_the_spot(self, operator_client):
        customer = make_customer()
        response = operator_client.post(
            reverse("calls:new_site", args=[customer.pk]),
            {
                "new_site-submission_token": str(uuid.uuid4()),
                "new_site-name": "Plant 9",
                "new_site-country": "IT",
                "new_site-is_active": "on",
            },
            **HTMX,
        )
        site = Site.objects.get(name="Plant 9")
        assert response.context["form"].initial["site"] == site.pk


class TestManagementPage:
    def test_header_and_six_sections_in_order(self, operator_client):
        call = make_call()
        body = operator_client.get(_manage(first_intervention(call))).content.decode()
        positions = [
            body.index(f'id="section-{key}"')
            for key in ("call", "intervention", "quote", "hours", "parts", "notes")
        ]
        assert positions == sorted(positions)
        assert call.code in body and call.unit.serial_number in body
        assert 'href="tel:+390212345' in body  # click-to-call
        assert "The quote needs the intervention data" in body
        assert "Under warranty" in body

    def test_filling_the_intervention_section_with_htmx(self, operator_client, technician):
        intervention = first_intervention(make_call())
        kind = make_intervention_type(name_en="Repair")
        response = operator_client.post(
            _url("intervention_update", intervention),
            {
                "intervention-type": kind.pk,
                "intervention-requested_date": "2026-12-03",
                "intervention-technician": technician.pk,
                "intervention-expected_hours": "2.5",
                "intervention-what_to_bring": "Belt",
                "intervention-version": intervention.version,
            },
            **HTMX,
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="management"' in body and "Intervention data saved." in body
        intervention.refresh_from_db()
        assert intervention.state == State.EXPECTED
        assert "The quote needs the intervention data" not in body

    def test_the_same_section_as_a_plain_post_redirects(self, operator_client):
        intervention = first_intervention(make_call())
        response = operator_client.post(
            _url("intervention_update", intervention),
            {
                "intervention-type": make_intervention_type().pk,
                "intervention-requested_date": "2026-12-03",
                "intervention-version": intervention.version,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == _manage(intervention)

    def test_a_stale_intervention_form_is_refused(self, operator_client):
        intervention = first_intervention(make_call())
        data = {
            "intervention-type": make_intervention_type().pk,
            "intervention-requested_date": "2026-12-03",
            "intervention-version": intervention.version,
        }
        operator_client.post(_url("intervention_update", intervention), data)
        response = operator_client.post(_url("intervention_update", intervention), data, **HTMX)
        assert "Someone else changed this record" in response.content.decode()

    def test_invalid_section_data_shows_errors_without_saving(self, operator_client):
        intervention = first_intervention(make_call())
        response = operator_client.post(
            _url("intervention_update", intervention), {"intervention-type": ""}, **HTMX
        )
        assert response.status_code == 200
        assert response.context["intervention_form"].errors
        intervention.refresh_from_db()
        assert intervention.state == State.NEW

    def test_the_call_section_saves(self, operator_client):
        call = make_call()
        intervention = first_intervention(call)
        response = operator_client.post(
            _url("call_update", intervention),
            {
                "call-site": call.site_id,
                "call-unit": call.unit_id,
                "call-contact": "",
                "call-channel": "email",
                "call-priority": "urgent",
                "call-received_at": "2026-11-20T10:00",
                "call-description": "Now it smokes too",
                "call-version": call.version,
            },
            **HTMX,
        )
        assert "Call data saved." in response.content.decode()
        call.refresh_from_db()
        assert (call.channel, call.priority, call.contact) == ("email", "urgent", None)

    def test_notes_keep_author_and_time(self, operator_client, operator):
        intervention = first_intervention(make_call())
        operator_client.post(
            _url("note_add", intervention),
            {
                "note-kind": NoteKind.FOLLOW_UP,
                "note-text": "Order a new pump",
                "note-submission_token": str(uuid.uuid4()),
            },
            **HTMX,
        )
        note = InterventionNote.objects.get()
        assert note.author == operator and note.kind == NoteKind.FOLLOW_UP
        body = operator_client.get(_manage(intervention)).content.decode()
        assert "Order a new pump" in body and "Follow-up needed" in body

    def test_resolve_by_phone_from_the_page(self, operator_client):
        intervention = first_intervention(make_call())
        response = operator_client.post(
            _url("resolve_by_phone", intervention), {"resolve-solution": "Reset"}, **HTMX
        )
        assert "The call was resolved by phone." in response.content.decode()
        call = Call.objects.get()
        assert call.status == State.RESOLVED_BY_PHONE
        body = operator_client.get(_manage(intervention)).content.decode()
        assert "There was no visit" in body

    def test_an_illegal_transition_shows_a_message(self, operator_client):
        intervention = first_intervention(make_call())
        response = operator_client.post(
            _url("transition", intervention), {"to_state": State.INVOICED}, **HTMX
        )
        assert "cannot go from" in response.content.decode()
        intervention.refresh_from_db()
        assert intervention.state == State.NEW

    def test_follow_up_opens_the_new_intervention(self, admin_client_):
        intervention = make_intervention(State.DONE)
        response = admin_client_.post(_url("follow_up", intervention), {"reason": "Leaks again"})
        follow_up = Intervention.objects.get(number=2)
        assert response["Location"] == _manage(follow_up)
        response = admin_client_.post(_url("follow_up", follow_up), {"reason": "x"}, **HTMX)
        assert "still has an open intervention" in response.content.decode()


class TestTechnician:
    def test_sees_own_intervention_read_only_and_cannot_skip_completion(
        self, client_for, technician
    ):
        intervention = make_intervention(State.PLANNED, technician=technician)
        client = client_for(technician)
        body = client.get(_manage(intervention)).content.decode()
        assert 'data-testid="save-intervention"' not in body
        assert 'data-testid="save-call"' not in body
        assert 'data-testid="add-note"' in body
        # Done only through the completion (hours, report, signature), never a bare button.
        assert 'data-testid="to-done"' not in body
        response = client.post(_url("transition", intervention), {"to_state": State.DONE})
        assert "is set from its own section" in response.content.decode()
        intervention.refresh_from_db()
        assert intervention.state == State.PLANNED

    def test_another_technicians_intervention_is_404(
        self, client_for, technician, other_technician
    ):
        intervention = make_intervention(State.PLANNED, technician=technician)
        client = client_for(other_technician)
        assert client.get(_manage(intervention)).status_code == 404
        assert (
            client.get(reverse("calls:call_detail", args=[intervention.call_id])).status_code == 404
        )
        response = client.post(_url("transition", intervention), {"to_state": State.DONE})
        assert response.status_code == 404
        response = client.post(
            _url("note_add", intervention), {"note-kind": "report", "note-text": "x"}
        )
        assert response.status_code == 404

    def test_home_lists_own_open_interventions_next_first(
        self, client_for, technician, other_technician
    ):
        import datetime

        later = make_intervention(
            State.PLANNED, technician=technician, requested_date=datetime.date(2026, 12, 20)
        )
        sooner = make_intervention(
            State.EXPECTED, technician=technician, requested_date=datetime.date(2026, 12, 2)
        )
        make_intervention(State.PLANNED, technician=other_technician)
        make_intervention(State.DONE, technician=technician)
        client = client_for(technician)
        response = client.get(reverse("home"))
        assert response["Location"] == reverse("calls:my_interventions")
        listed = list(client.get(reverse("calls:my_interventions")).context["object_list"])
        assert listed == [sooner, later]


class TestHistory:
    def test_unit_and_customer_pages_load_their_calls(self, operator_client):
        call = make_call()
        unit_page = operator_client.get(call.unit.get_absolute_url()).content.decode()
        assert reverse("calls:unit_history", args=[call.unit_id]) in unit_page
        body = operator_client.get(
            reverse("calls:unit_history", args=[call.unit_id])
        ).content.decode()
        assert f"{call.code}/1" in body
        customer_page = operator_client.get(call.customer.get_absolute_url()).content.decode()
        assert reverse("calls:customer_history", args=[call.customer_id]) in customer_page
        body = operator_client.get(
            reverse("calls:customer_history", args=[call.customer_id])
        ).content.decode()
        assert f"{call.code}/1" in body

    def test_a_technician_sees_only_own_interventions_in_the_history(self, client_for, technician):
        mine = make_intervention(State.PLANNED, technician=technician)
        other = make_call(unit=mine.call.unit)
        body = (
            client_for(technician)
            .get(reverse("calls:unit_history", args=[mine.call.unit_id]))
            .content.decode()
        )
        assert mine.code in body and other.code not in body


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_management_page_runs_a_fixed_number_of_queries(operator_client, operator):
    from calls import services

    call = make_call()
    intervention = first_intervention(call)
    services.add_note(intervention=intervention, acting_user=operator, kind="internal", text="a")
    small = _count(operator_client, _manage(intervention))
    for n in range(8):
        services.add_note(
            intervention=intervention, acting_user=operator, kind="report", text=f"{n}"
        )
        make_contact(call.customer, site=call.site)
        make_unit(call.site)
        make_intervention_type()
    assert _count(operator_client, _manage(intervention)) == small


def test_management_page_queries_do_not_grow_with_the_interventions(operator_client, operator):
    from calls import services

    call = make_call()
    intervention = first_intervention(call)
    services.transition(
        intervention=intervention, to_state=State.CANCELLED, acting_user=operator, reason="x"
    )
    small = _count(operator_client, _manage(intervention))
    for _ in range(4):
        follow_up = services.add_follow_up_intervention(
            call=call, acting_user=operator, reason="Again."
        )
        services.transition(
            intervention=follow_up, to_state=State.CANCELLED, acting_user=operator, reason="x"
        )
    assert _count(operator_client, _manage(intervention)) == small


def test_management_page_queries_depend_on_the_calls_state_not_its_data(operator_client):
    """A carried-out intervention's page costs the same whatever its call's later interventions
    hold, except that while the call is open its section is a form whose site, unit and contact
    lists are three queries (a verified or invoiced call shows its data read-only)."""
    call = make_call()
    done = first_intervention(call)
    Intervention.objects.filter(pk=done.pk).update(state=State.DONE)
    later = Intervention.objects.create(
        call=call, number=2, code=f"{call.code}-2", state=State.QUOTED
    )
    counts = {}
    for state in (State.QUOTED, State.PLANNED, State.VERIFIED, State.INVOICED):
        Intervention.objects.filter(pk=later.pk).update(state=state)
        Call.objects.filter(pk=call.pk).update(status=state)
        counts[state] = _count(operator_client, _manage(done))
    assert counts[State.QUOTED] == counts[State.PLANNED] == counts[State.VERIFIED] + 3
    assert counts[State.VERIFIED] == counts[State.INVOICED]


def test_history_partials_run_a_fixed_number_of_queries(operator_client):
    call = make_call()
    url = reverse("calls:customer_history", args=[call.customer_id])
    small = _count(operator_client, url)
    for _ in range(5):
        make_call(unit=call.unit)
    assert _count(operator_client, url) == small


def test_the_management_page_speaks_italian(client_for, operator):
    operator.language = "it"
    operator.save()
    intervention = first_intervention(make_call())
    body = html.unescape(client_for(operator).get(_manage(intervention)).content.decode())
    assert "Il preventivo richiede i dati dell'intervento" in body
    assert "Salva l'intervento" in body
    assert "Annotazioni" in body and "Nuovo" in body


def test_technician_home_runs_a_fixed_number_of_queries(client_for, technician):
    make_intervention(State.PLANNED, technician=technician)
    client = client_for(technician)
    small = _count(client, reverse("calls:my_interventions"))
    for _ in range(6):
        make_intervention(State.EXPECTED, technician=technician)
    assert _count(client, reverse("calls:my_interventions")) == small


def test_technician_home_shows_twenty_jobs_a_page_then_the_rest(client_for, technician):
    """Issue 20: a full home page costs the same whatever the technician's backlog."""
    for _ in range(21):
        make_intervention(State.EXPECTED, technician=technician)
    client = client_for(technician)
    url = reverse("calls:my_interventions")
    first = client.get(url)
    assert len(first.context["object_list"]) == 20
    assert first.content.decode().count('data-testid="job-card"') == 20
    assert len(client.get(url, {"page": 2}).context["object_list"]) == 1
    full = _count(client, url)
    for _ in range(5):
        make_intervention(State.PLANNED, technician=technician)
    assert _count(client, url) == full
    assert _count(client, f"{url}?page=2") == full


@pytest.mark.parametrize(
    ("state", "blocked"),
    [
        (State.NEW, {"quote", "hours", "parts"}),
        (State.EXPECTED, {"hours", "parts"}),
        (State.QUOTED, {"hours", "parts"}),
        (State.PLANNED, set()),
        (State.DONE, set()),
        (State.RESOLVED_BY_PHONE, {"intervention", "quote", "hours", "parts"}),
        (State.CANCELLED, {"intervention", "quote", "hours", "parts"}),
    ],
)
def test_each_section_says_why_it_is_blocked(operator, state, blocked):
    from calls.selectors import sections

    intervention = make_intervention(state)
    result = sections(intervention, operator, call_editable=True)
    assert [s.key for s in result] == ["call", "intervention", "quote", "hours", "parts", "notes"]
    assert {s.key for s in result if s.blocked} == blocked


def test_sections_are_read_only_for_a_technician(technician):
    from calls.selectors import sections

    intervention = make_intervention(State.PLANNED, technician=technician)
    assert not any(s.editable for s in sections(intervention, technician, call_editable=True))


def test_the_django_admin_shows_calls_read_only(client_for):
    from tests.factories import make_user

    superuser = make_user("root", "administrator", is_staff=True, is_superuser=True)
    call = make_call()
    intervention = first_intervention(call)
    client = client_for(superuser)
    assert client.get(reverse("admin:calls_call_changelist")).status_code == 200
    page = client.get(reverse("admin:calls_intervention_change", args=[intervention.pk]))
    assert page.status_code == 200 and intervention.code in page.content.decode()
    assert client.get(reverse("admin:calls_call_add")).status_code == 403
