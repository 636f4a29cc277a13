"""The planner's demo data: plans waiting interventions, fills timesheets, idempotent."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from accounts import demo as accounts_demo
from calls.models import State
from planner import demo
from planner.models import Activity, TimeEntry
from tests.planner.factories import ready_intervention


class Quiet:
    def step(self, *args):
        pass

    def note(self, *args):
        pass


@pytest.mark.django_db
def test_demo_plans_interventions_and_is_idempotent():
    accounts_demo.seed(scale=0, progress=Quiet())
    waiting = ready_intervention(State.QUOTED)
    demo.seed(scale=0, progress=Quiet())
    waiting.refresh_from_db()
    assert waiting.state == State.PLANNED and waiting.activities.count() == 1
    counts = (Activity.objects.count(), TimeEntry.objects.count())
    assert counts[1] > 0
    demo.seed(scale=0, progress=Quiet())
    assert (Activity.objects.count(), TimeEntry.objects.count()) == counts


@pytest.mark.django_db
def test_demo_volume_respects_the_daily_limit():
    accounts_demo.seed(scale=0, progress=Quiet())
    demo.seed(scale=1, progress=Quiet())
    generated = TimeEntry.objects.filter(description=demo.VOLUME_MARK)
    assert generated.count() >= 10_000
    demo.seed(scale=1, progress=Quiet())
    assert TimeEntry.objects.filter(description=demo.VOLUME_MARK).count() == generated.count()
    busiest = (
        TimeEntry.objects.values("user", "date").annotate(total=Sum("hours")).order_by("-total")
    ).first()
    assert busiest["total"] <= 24
