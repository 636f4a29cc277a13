"""Phone resolutions that teach: a call resolved by phone says how; problem, cause and solution
are shown on the call and found again by the solutions search; a follow-up intervention starts
with why it is needed and what the previous visit noted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls import services
from calls.models import Call, InterventionNote, NoteKind, State
from calls.services import CallError
from tests.calls.factories import first_intervention, make_call, make_intervention
from tests.factories import make_product, make_unit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, intervention):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number])


def _resolved(operator, *, product=None, description="Panel dark.", cause="", solution="Reset."):
    call = make_call(by=operator, unit=make_unit(product=product), description=description)
    services.resolve_by_phone(call=call, acting_user=operator, solution=solution, cause=cause)
    return call


class TestResolveByPhone:
    def test_the_solution_is_required_and_nothing_changes_without_it(self, operator):
        call = make_call(by=operator)
        with pytest.raises(CallError, match="how the problem was solved"):
            services.resolve_by_phone(call=call, acting_user=operator, solution="   ")
        call.refresh_from_db()
        assert call.status == State.NEW and call.solution == ""
        assert first_intervention(call).state == State.NEW

    def test_the_page_says_so_and_keeps_the_cause_typed(self, operator_client):
        intervention = first_intervention(make_call())
        response = operator_client.post(
            _url("resolve_by_phone", intervention),
            {"resolve-cause": "Breaker tripped", "resolve-solution": ""},
            **HTMX,
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "Say how the problem was solved" in body
        assert "Breaker tripped" in body  # what was typed is kept
        assert Call.objects.get().status == State.NEW

    def test_problem_cause_and_solution_are_shown_on_the_call(self, operator_client):
        intervention = first_intervention(make_call(description="Operator panel dark"))
        operator_client.post(
            _url("resolve_by_phone", intervention),
            {"resolve-cause": "Breaker tripped", "resolve-solution": "Reset the breaker"},
        )
        call = Call.objects.get()
        assert call.status == State.RESOLVED_BY_PHONE
        assert (call.cause, call.solution) == ("Breaker tripped", "Reset the breaker")
        body = operator_client.get(call.get_absolute_url(), follow=True).content.decode()
        assert 'data-testid="call-solution"' in body
        assert "Breaker tripped" in body and "Reset the breaker" in body


class TestSolutionSearch:
    def test_finds_by_words_whatever_accents_and_capitals(self, operator_client, operator):
        wanted = _resolved(operator, cause="Pressostato guasto", solution="Sostituita la valvola")
        _resolved(operator, solution="Explained the menu")
        url = reverse("calls:solutions")
        for words in ("PRESSOSTATO", "valvola sostituita", "pressostàto guasto"):
            listed = list(operator_client.get(url, {"q": words}).context["object_list"])
            assert listed == [wanted], words

    def test_finds_by_product_and_lists_only_calls_with_a_solution(self, operator_client, operator):
        laser = make_product(code="LAS-1")
        wanted = _resolved(operator, product=laser, solution="Cleaned the lens")
        _resolved(operator, solution="Other product")
        make_call(by=operator, unit=make_unit(product=laser))  # open, no solution yet
        response = operator_client.get(reverse("calls:solutions"), {"product": laser.pk})
        assert list(response.context["object_list"]) == [wanted]
        assert "Cleaned the lens" in response.content.decode()

    def test_nothing_found_says_so(self, operator_client, operator):
        _resolved(operator)
        response = operator_client.get(reverse("calls:solutions"), {"q": "zzzz"})
        assert 'data-testid="no-solutions"' in response.content.decode()

    def test_a_fixed_number_of_queries_whatever_the_rows(self, operator_client, operator):
        url = reverse("calls:solutions") + "?q=reset"
        for _ in range(2):
            _resolved(operator)
        operator_client.get(url)
        with CaptureQueriesContext(connection) as small:
            operator_client.get(url)
        for _ in range(8):
            _resolved(operator)
        with CaptureQueriesContext(connection) as large:
            response = operator_client.get(url)
        assert len(large) == len(small)
        assert response.context["paginator"].count == 10

    def test_a_technician_may_not_read_the_solutions(self, technician_client):
        assert technician_client.get(reverse("calls:solutions")).status_code == 403

    def test_the_call_links_to_similar_solutions_of_its_product(self, operator_client):
        call = make_call()
        body = operator_client.get(call.get_absolute_url(), follow=True).content.decode()
        assert f"{reverse('calls:solutions')}?product={call.unit.product_id}" in body


class TestFollowUp:
    def test_starts_with_the_reason_and_the_previous_notes(self, operator):
        done = make_intervention(State.DONE)
        InterventionNote.objects.create(
            intervention=done, kind=NoteKind.REPORT, text="Gasket replaced", author=operator
        )
        follow_up = services.add_follow_up_intervention(
            call=done.call, acting_user=operator, reason="Still leaking"
        )
        note = follow_up.notes.get()
        assert note.kind == NoteKind.INTERNAL
        assert "Still leaking" in note.text and "Gasket replaced" in note.text
        assert done.code in note.text

    def test_a_reason_is_required(self, operator_client):
        done = make_intervention(State.DONE)
        response = operator_client.post(_url("follow_up", done), {"reason": " "}, **HTMX)
        assert "Say why a follow-up intervention is needed." in response.content.decode()
        assert done.call.interventions.count() == 1
        with pytest.raises(CallError):
            services.add_follow_up_intervention(
                call=done.call, acting_user=done.call.created_by, reason=""
            )
