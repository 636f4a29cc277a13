"""Two entries recorded at the same time cannot both pass the 24-hours-a-day limit."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from planner.models import TimeEntry, WorkKind
from planner.services import PlannerError, record_time_entry
from tests.planner.factories import yesterday


@pytest.mark.django_db(transaction=True)
def test_concurrent_entries_respect_the_daily_limit(technician):
    if connection.vendor != "postgresql":
        pytest.skip("SELECT ... FOR UPDATE needs PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def record():
        try:
            barrier.wait()
            record_time_entry(
                acting_user=technician,
                user=technician,
                date=yesterday(),
                kind=WorkKind.OFFICE,
                hours=Decimal("15"),
                description="Inventory",
            )
            outcomes.append("saved")
        except PlannerError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert TimeEntry.objects.count() == 1
