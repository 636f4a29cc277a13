"""The SLA clocks of a call on a covered unit, with a frozen clock: deadlines across a weekend,
a public holiday and a pause; the warning e-mail sent once."""

from __future__ import annotations

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Role
from calls import sla
from calls.jobs import send_sla_warnings
from calls.models import Call, Priority, SlaWarning, State
from calls.services import CallError, transition
from calls.services.clocks import record_answer, resume, wait_for_customer
from tests.calls.factories import first_intervention, make_call
from tests.contracts.factories import make_contract
from tests.factories import make_unit, make_user

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def at(day: str, time: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ROME)


def frozen(moment: datetime.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def operator():
    return make_user("op", Role.OPERATOR, email="op@example.com")


@pytest.fixture
def covered_unit():
    unit = make_unit()
    make_contract(unit=unit)
    return unit


def _call(unit, operator, received: datetime.datetime, priority=Priority.URGENT) -> Call:
    with frozen(received):
        return make_call(unit=unit, by=operator, received_at=received, priority=priority)


def test_a_call_on_a_covered_unit_gets_the_contract_and_its_deadlines(covered_unit, operator):
    # Friday 16:00, urgent: response 4 h (2 h Friday + 2 h Monday), resolution 16 h.
    call = _call(covered_unit, operator, at("2026-11-20", "16:00"))
    call.refresh_from_db()
    assert call.contract is not None
    assert call.response_due == at("2026-11-23", "10:30")
    # 2 h Fri, 8 h Mon, 6 h Tue (08:30-12:30 + 14:00-16:00)
    assert call.resolution_due == at("2026-11-24", "16:00")
    assert call.sla_due == call.response_due
    assert call.sla_warn_at == at("2026-11-20", "18:00")  # 2 h of business time before


def test_a_call_on_an_uncovered_unit_has_no_clock(operator):
    call = _call(make_unit(), operator, at("2026-11-20", "16:00"))
    call.refresh_from_db()
    assert call.contract is None and call.sla_due is None and sla.clocks(call) == []


def test_public_holiday_pushes_the_deadline(covered_unit, operator):
    # Monday 7 December 17:00; Tuesday 8 December is a holiday: 1 h Mon + 3 h Wed.
    call = _call(covered_unit, operator, at("2026-12-07", "17:00"))
    call.refresh_from_db()
    assert call.response_due == at("2026-12-09", "11:30")


def test_a_pause_stops_the_clock_and_moves_the_deadline(covered_unit, operator):
    call = _call(covered_unit, operator, at("2026-11-23", "08:30"))  # Monday
    with frozen(at("2026-11-23", "09:30")):
        wait_for_customer(call=call, acting_user=operator, reason="Photo of the nameplate")
    call.refresh_from_db()
    assert call.waiting_for_customer and call.sla_due is None  # paused: not at risk
    with frozen(at("2026-11-23", "15:00")):  # 3 h + 1 h of business time paused
        resume(call=call, acting_user=operator)
    call.refresh_from_db()
    assert not call.waiting_for_customer
    assert call.response_due == at("2026-11-23", "18:00")  # 08:30 + 4 h + 4 h paused
    assert call.pauses.get().ended_at == at("2026-11-23", "15:00")


def test_a_pause_needs_a_reason_and_an_office_role(covered_unit, operator):
    call = _call(covered_unit, operator, at("2026-11-23", "08:30"))
    with pytest.raises(CallError):
        wait_for_customer(call=call, acting_user=operator, reason="  ")
    with pytest.raises(CallError):
        wait_for_customer(call=call, acting_user=make_user(None, Role.TECHNICIAN), reason="x")
    with pytest.raises(CallError):
        resume(call=call, acting_user=operator)  # not waiting


def test_first_answer_stops_the_response_clock(covered_unit, operator):
    call = _call(covered_unit, operator, at("2026-11-23", "08:30"))
    with frozen(at("2026-11-23", "10:00")):
        record_answer(call=call, acting_user=operator)
    call.refresh_from_db()
    assert call.responded_at == at("2026-11-23", "10:00")
    assert call.sla_due == call.resolution_due
    with pytest.raises(CallError):
        record_answer(call=call, acting_user=operator)


def test_cancelled_call_stops_its_clocks(covered_unit, operator):
    call = _call(covered_unit, operator, at("2026-11-23", "08:30"))
    transition(
        intervention=first_intervention(call),
        to_state=State.CANCELLED,
        acting_user=operator,
        reason="duplicate",
    )
    call.refresh_from_db()
    assert call.sla_due is None


def test_priority_change_recomputes_the_deadline(covered_unit, operator):
    call = _call(covered_unit, operator, at("2026-11-23", "08:30"), priority=Priority.NORMAL)
    call.refresh_from_db()
    assert call.response_due == at("2026-11-23", "18:00")  # 8 h
    call.priority = Priority.URGENT
    sla.refresh(call)
    assert Call.objects.get(pk=call.pk).response_due == at("2026-11-23", "12:30")


def test_breach_warning_is_sent_once(
    covered_unit, operator, smtp_server, django_capture_on_commit_callbacks
):
    call = _call(covered_unit, operator, at("2026-11-23", "08:30"))
    with django_capture_on_commit_callbacks(execute=True):
        with frozen(at("2026-11-23", "09:00")):
            assert send_sla_warnings() == "0 SLA warning(s) sent"  # not yet at risk
        with frozen(at("2026-11-23", "11:00")):  # due 12:30, warned from 10:30
            assert send_sla_warnings() == "1 SLA warning(s) sent"
            assert send_sla_warnings() == "0 SLA warning(s) sent"
        with frozen(at("2026-11-23", "15:00")):  # breached now: still only the one warning
            assert send_sla_warnings() == "0 SLA warning(s) sent"
    assert SlaWarning.objects.filter(call=call).count() == 1
    assert len(smtp_server) == 1
    assert smtp_server[0].rcpt_tos == ["op@example.com"]
    assert call.code.encode() in smtp_server[0].content


def test_search_conditions_at_risk_and_breached(covered_unit, operator):
    call = _call(covered_unit, operator, at("2026-11-23", "08:30"))
    calls = Call.objects.filter(pk=call.pk)
    now = at("2026-11-23", "11:00")
    assert calls.filter(sla.at_risk_condition(now)).exists()
    assert not calls.filter(sla.breached_condition(now)).exists()
    later = at("2026-11-23", "15:00")
    assert calls.filter(sla.breached_condition(later)).exists()
    assert not calls.filter(sla.at_risk_condition(later)).exists()
    call.refresh_from_db()
    states = [c.state for c in sla.clocks(call, later)]
    assert states == [sla.BREACHED, sla.ON_TIME]


def test_done_call_records_resolution(covered_unit, operator):
    call = _call(covered_unit, operator, at("2026-11-23", "08:30"))
    with frozen(at("2026-11-23", "11:00")):
        Call.objects.filter(pk=call.pk).update(status=State.DONE)
        call.refresh_from_db()
        sla.refresh(call)
    call.refresh_from_db()
    assert call.resolved_at == at("2026-11-23", "11:00") and call.sla_due is None
    assert [c.state for c in sla.clocks(call, timezone.now())] == [sla.MET, sla.MET]


def test_a_call_answered_late_stays_breached_after_its_clock_stopped(covered_unit, operator):
    late = _call(covered_unit, operator, at("2026-11-23", "08:30"))  # answer due 12:30
    on_time = _call(covered_unit, operator, at("2026-11-23", "08:30"))
    with frozen(at("2026-11-23", "15:00")):
        record_answer(call=late, acting_user=operator)
    with frozen(at("2026-11-23", "09:00")):
        record_answer(call=on_time, acting_user=operator)
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.sla_late and not on_time.sla_late
    # Both resolution clocks still run, due tomorrow: only the late answer is a breach today.
    now = at("2026-11-23", "16:00")
    both = Call.objects.filter(pk__in=[late.pk, on_time.pk])
    assert list(both.filter(sla.breached_condition(now))) == [late]
    # A call without a contract target never counts as late.
    late.contract = None
    sla.refresh(late)
    late.refresh_from_db()
    assert not late.sla_late and late.response_due is None


def test_the_search_sorted_by_sla_keeps_calls_without_a_clock_last_both_ways(
    covered_unit, operator, client_for
):
    from django.urls import reverse

    first = _call(covered_unit, operator, at("2026-11-23", "08:30"))
    second = _call(covered_unit, operator, at("2026-11-24", "08:30"))
    plain = make_call(unit=make_unit())  # no contract: no clock
    client = client_for(operator)
    for sort, expected in (("sla", [first, second, plain]), ("-sla", [second, first, plain])):
        page = client.get(reverse("calls:call_search") + f"?sort={sort}").content.decode()
        positions = [page.index(call.code) for call in expected]
        assert positions == sorted(positions), sort
