"""The planner's demo data: plans waiting interventions, fills timesheets, idempotent."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts import demo as accounts_demo
from calls import demo as calls_demo
from calls.models import ChecklistTemplate, Intervention, State
from customers import demo as customers_demo
from orders import demo as orders_demo
from planner import demo
from planner.models import Activity, TimeEntry
from tests.planner.factories import ready_intervention


class Quiet:
    def step(self, *args):
        pass

    def note(self, *args):
        pass


@pytest.mark.django_db
def test_demo_plans_the_demo_calls_visits_and_is_idempotent():
    for module in (accounts_demo, customers_demo, orders_demo, calls_demo):
        module.seed(scale=0, progress=Quiet())
    other = ready_intervention(State.QUOTED)  # not a demo call: the demo leaves it alone
    demo.seed(scale=0, progress=Quiet())
    other.refresh_from_db()
    assert other.state == State.QUOTED and not other.activities.exists()
    for demo_call in calls_demo.DEMO_CALLS:
        if demo_call.target in (State.PLANNED, State.DONE, State.VERIFIED):
            intervention = Intervention.objects.get(call__description=demo_call.description)
            assert intervention.state == demo_call.target
            (visit,) = intervention.activities.all()
            assert timezone.localtime(visit.start).date() == calls_demo.working_day(demo_call.visit)
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


@pytest.mark.django_db
def test_demo_visits_have_before_and_after_photos_and_a_filled_checklist(settings, tmp_path):
    """Issue 21: preventive maintenance has a checklist; each visit done by the demo has its
    "before" and "after" photos and the checklist answered before the customer signed."""
    settings.MEDIA_ROOT = tmp_path
    for module in (accounts_demo, customers_demo, orders_demo, calls_demo):
        module.seed(scale=0, progress=Quiet())
    demo.seed(scale=0, progress=Quiet())
    assert ChecklistTemplate.objects.filter(intervention_type__code="maintenance").exists()
    done = Intervention.objects.filter(state__in=(State.DONE, State.VERIFIED))
    assert done.exists()
    for intervention in done:
        tags = sorted(intervention.attachments.values_list("report_tag", flat=True))
        assert tags == ["after", "before"]
        if intervention.checklist_id:
            assert intervention.checklist_answers.count() >= 3
    assert (
        done.filter(checklist__isnull=False).exists()
        or not done.filter(type__code="maintenance").exists()
    )
