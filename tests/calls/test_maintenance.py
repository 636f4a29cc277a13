"""Preventive maintenance with a frozen clock: a calendar task makes its call and intervention
once, ahead of the due date; an hours task falls due after readings; the next occurrence is due
from the day the work was done; readings lower than the previous one are refused; the job run
twice at once (threads on PostgreSQL) makes each occurrence once."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from accounts.models import Role
from calls.maintenance_job import generate_maintenance
from calls.models import (
    Call,
    IntervalUnit,
    MaintenanceOccurrence,
    State,
)
from calls.services import transition
from calls.services.maintenance import ReadingRefused, record_reading
from tests.calls.factories import plan_with_visit
from tests.calls.maintenance_factories import make_plan, make_task
from tests.factories import make_product, make_unit, make_user
from tests.orders.factories import make_part

ROME = ZoneInfo("Europe/Rome")


def frozen(day: str):
    moment = datetime.datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=ROME)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def D(day: str) -> datetime.date:  # noqa: N802 - reads like a literal
    return datetime.date.fromisoformat(day)


@pytest.fixture
def admin(db):
    return make_user("boss", Role.ADMINISTRATOR)


@pytest.fixture
def technician(db):
    return make_user("tech", Role.TECHNICIAN)


def read(unit, day: str, hours: str, **extra):
    with frozen(day):
        return record_reading(
            unit=unit, hours=Decimal(hours), read_on=D(day), acting_user=None, **extra
        )


@pytest.mark.django_db
def test_calendar_task_makes_its_intervention_once_within_the_lead_time(admin, technician):
    unit = make_unit()
    plan = make_plan(unit=unit, technician=technician, starts_on=D("2026-01-15"), lead_days=14)
    filter_part = make_part("FLT-1")
    task = make_task(plan, every=12, parts=[(filter_part, "2")], with_checklist=True)
    with frozen("2026-12-01"):
        generate_maintenance()
    occurrence = MaintenanceOccurrence.objects.get()
    assert occurrence.due_on == D("2027-01-15")
    assert occurrence.intervention is None  # more than 14 days ahead: nothing to plan yet
    assert not Call.objects.exists()
    with frozen("2027-01-01"):
        summary = generate_maintenance()
        generate_maintenance()  # again the same day: nothing twice
    assert "interventions made 1" in summary
    occurrence.refresh_from_db()
    intervention = occurrence.intervention
    assert intervention.state == State.EXPECTED  # to plan
    assert intervention.technician == technician
    assert intervention.type == task.intervention_type
    assert intervention.requested_date == D("2027-01-15")
    assert intervention.checklist == task.checklist
    assert "2 × FLT-1 " in intervention.what_to_bring
    assert intervention.call.unit == unit
    assert Call.objects.count() == 1
    assert MaintenanceOccurrence.objects.count() == 1


@pytest.mark.django_db
def test_done_intervention_records_the_completion_and_the_next_due_date(admin, technician):
    unit = make_unit()
    plan = make_plan(unit=unit, technician=technician, starts_on=D("2026-01-15"))
    make_task(plan, every=6)
    with frozen("2026-07-10"):
        generate_maintenance()
    occurrence = MaintenanceOccurrence.objects.get()
    assert occurrence.due_on == D("2026-07-15")
    with frozen("2026-07-20"):  # done five days late
        intervention = plan_with_visit(occurrence.intervention, admin)
        transition(intervention=intervention, to_state=State.DONE, acting_user=technician)
    occurrence.refresh_from_db()
    assert occurrence.completed_on == D("2026-07-20")
    following = MaintenanceOccurrence.objects.get(number=2)
    assert following.due_on == D("2027-01-20")  # six months from the day it was done
    assert following.intervention is None


@pytest.mark.django_db
def test_cancelled_intervention_moves_the_schedule_on_from_its_due_date(admin):
    unit = make_unit()
    make_task(
        make_plan(unit=unit, starts_on=D("2026-01-15")), every=30, interval_unit=IntervalUnit.DAYS
    )
    with frozen("2026-02-10"):
        generate_maintenance()
        occurrence = MaintenanceOccurrence.objects.get()
        transition(
            intervention=occurrence.intervention,
            to_state=State.CANCELLED,
            acting_user=admin,
            reason="Machine moved",
        )
    occurrence.refresh_from_db()
    assert occurrence.cancelled and occurrence.completed_on is None
    assert MaintenanceOccurrence.objects.get(number=2).due_on == D("2026-03-16")


@pytest.mark.django_db
def test_hours_task_falls_due_after_readings(admin, technician):
    unit = make_unit()
    plan = make_plan(unit=unit, technician=technician, starts_on=D("2026-11-01"), lead_days=14)
    make_task(plan, every=500, interval_unit=IntervalUnit.HOURS, description="Filter change")
    read(unit, "2026-11-01", "1000")
    read(unit, "2026-11-11", "1100")  # ten hours a day
    with frozen("2026-11-20"):
        generate_maintenance()
    occurrence = MaintenanceOccurrence.objects.get()
    assert occurrence.due_hours == Decimal("1500")
    assert occurrence.due_on == D("2026-12-21")  # 400 hours left at ten a day
    assert occurrence.intervention is None
    read(unit, "2026-11-25", "1400")  # the machine runs more: about 16.7 hours a day
    occurrence.refresh_from_db()
    assert occurrence.due_on == D("2026-12-01")
    with frozen("2026-11-25"):
        generate_maintenance()
    occurrence.refresh_from_db()
    assert occurrence.intervention.state == State.EXPECTED
    assert occurrence.intervention.requested_date == D("2026-12-01")
    with frozen("2026-11-30"):
        read(unit, "2026-11-30", "1510")
        intervention = plan_with_visit(occurrence.intervention, admin)
        transition(intervention=intervention, to_state=State.DONE, acting_user=technician)
    occurrence.refresh_from_db()
    assert occurrence.completed_hours == Decimal("1510")
    assert MaintenanceOccurrence.objects.get(number=2).due_hours == Decimal("2010")


@pytest.mark.django_db
def test_hours_task_without_a_pace_has_no_due_date_yet(admin):
    unit = make_unit()
    make_task(make_plan(unit=unit), every=500, interval_unit=IntervalUnit.HOURS)
    read(unit, "2026-11-01", "100")
    with frozen("2026-11-02"):
        generate_maintenance()
    occurrence = MaintenanceOccurrence.objects.get()
    assert occurrence.due_hours == Decimal("600") and occurrence.due_on is None
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_reading_lower_than_the_previous_is_refused_unless_the_counter_was_replaced():
    unit = make_unit()
    read(unit, "2026-11-01", "1200")
    with pytest.raises(ReadingRefused, match="only for a new counter"):
        read(unit, "2026-11-05", "1100")
    replaced = read(unit, "2026-11-05", "15", is_replacement=True)
    assert replaced.total_hours == Decimal("1215")
    assert read(unit, "2026-11-10", "40").total_hours == Decimal("1240")
    with pytest.raises(ReadingRefused, match="later reading"):
        read(unit, "2026-11-07", "30")
    with frozen("2026-11-10"), pytest.raises(ReadingRefused, match="future"):
        record_reading(unit=unit, hours=Decimal(50), read_on=D("2026-11-11"), acting_user=None)
    with pytest.raises(ReadingRefused):
        read(unit, "2026-11-10", "-1")
    assert unit.counter_readings.count() == 3


@pytest.mark.django_db
def test_product_plan_applies_to_its_units_and_a_unit_plan_overrides_its_task(admin):
    product = make_product()
    plain, own = make_unit(product=product), make_unit(product=product)
    make_unit(product=product, is_active=False)
    product_task = make_task(make_plan(product=product), every=12)
    own_task = make_task(
        make_plan(unit=own, name="Heavy duty"),
        every=6,
        intervention_type=product_task.intervention_type,
    )
    extra_task = make_task(make_plan(unit=own, name="Extra"), every=3)
    with frozen("2026-02-01"):
        generate_maintenance()
    pairs = set(MaintenanceOccurrence.objects.values_list("task_id", "unit_id"))
    assert pairs == {
        (product_task.pk, plain.pk),
        (own_task.pk, own.pk),
        (extra_task.pk, own.pk),
    }


@pytest.mark.django_db
def test_inactive_plan_makes_nothing(admin):
    make_task(make_plan(unit=make_unit(), is_active=False), every=1)
    with frozen("2026-12-01"):
        generate_maintenance()
    assert not MaintenanceOccurrence.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_job_run_twice_at_once_makes_each_occurrence_once():
    make_user("boss", Role.ADMINISTRATOR)
    technician = make_user("tech", Role.TECHNICIAN)
    for _ in range(4):
        make_task(
            make_plan(unit=make_unit(), technician=technician, starts_on=D("2026-01-15")),
            every=30,
            interval_unit=IntervalUnit.DAYS,
        )
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def machine() -> None:
        try:
            barrier.wait()
            generate_maintenance()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    # The clock is frozen once, around both machines: two threads each patching and restoring
    # it would leave one thread's patch in place for every later test of the process.
    with frozen("2026-02-10"):
        threads = [threading.Thread(target=machine) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert MaintenanceOccurrence.objects.count() == 4
    assert MaintenanceOccurrence.objects.filter(intervention__isnull=False).count() == 4
    assert Call.objects.count() == 4
