import pytest
from django.core.management import call_command

from calls.demo import CALLS_PER_SCALE, DEMO_CALLS
from calls.models import Call, Expense, Intervention, PartUsed, State
from invoicing.demo import VAT_CASES
from service_portal.models import Counter

pytestmark = pytest.mark.django_db


def test_demo_calls_are_idempotent_and_cover_several_states():
    call_command("seed_demo", "--no-logins", verbosity=0)
    call_command("seed_demo", "--no-logins", verbosity=0)
    # The invoicing demo adds one call per VAT case (invoiced).
    assert Call.objects.count() == len(DEMO_CALLS) + len(VAT_CASES)
    states = set(Intervention.objects.values_list("state", flat=True))
    assert {State.NEW, State.RESOLVED_BY_PHONE, State.PLANNED, State.DONE} <= states
    done = Intervention.objects.filter(state=State.DONE)
    assert Expense.objects.filter(intervention__in=done).exists()
    assert PartUsed.objects.filter(intervention__in=done).exists()


def test_scale_volume_keeps_codes_consistent_with_the_counters(monkeypatch):
    """The volume continues the counters' sequence. It is written in bulk with the triggers that
    keep the calls to invoice and the dashboard's day stamps off (a rewrite per inserted row made
    most of the seed's time at scale 100); they are back at the end and every row is recounted."""
    from calls import demo as calls_demo
    from dashboard import stamps
    from invoicing import waiting
    from invoicing.models import CallToInvoice
    from tests.invoicing.test_calls_waiting import _check, _installed

    triggers_during_volume = []
    bulk_volume = calls_demo._seed_volume

    def volume(*args, **kwargs):
        triggers_during_volume.append((_installed(), _dashboard_stamp_triggers()))
        return bulk_volume(*args, **kwargs)

    monkeypatch.setattr("calls.demo.CALLS_PER_SCALE", 40)
    monkeypatch.setattr("calls.demo._seed_volume", volume)
    monkeypatch.setattr("customers.demo._seed_volume", _small_volume)
    call_command("seed_demo", "--no-logins", "--scale", "1", verbosity=0)
    generated = Call.objects.filter(description__startswith="Generated call")
    assert generated.count() == 40
    assert Intervention.objects.filter(call__in=generated).count() == 50
    for counter in Counter.objects.filter(series="call"):
        codes = Call.objects.filter(code__startswith=f"{counter.year}-")
        assert codes.count() == counter.value
    assert CALLS_PER_SCALE == 8000
    assert triggers_during_volume == [(set(), 0)]
    assert _installed() == {(t.table, t.event, t.of) for t in waiting.TRIGGERS}
    assert _dashboard_stamp_triggers() == len(stamps._triggers())
    assert CallToInvoice.objects.exists()
    _check()


def _dashboard_stamp_triggers() -> int:
    """How many of the dashboard's day-stamp triggers (dashboard.stamps) the database holds."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'dashboard_stamp_%'"
            )
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgname LIKE 'dashboard_stamp_%'"
            )
        return cursor.fetchone()[0]


def _small_volume(scale, progress):
    from tests.factories import make_unit

    for n in range(3):
        make_unit(serial_number=f"GEN-{n:08d}")


def test_demo_holds_maintenance_plans_due_in_the_coming_weeks(client):
    from django.utils import timezone

    from calls import maintenance
    from calls.models import CounterReading, MaintenanceOccurrence, MaintenancePlan

    call_command("seed_demo", "--no-logins", verbosity=0)
    call_command("seed_demo", "--no-logins", verbosity=0)
    assert MaintenancePlan.objects.filter(name__startswith="Demo").count() == 4
    assert CounterReading.objects.exists()
    due = maintenance.due_overview(today=timezone.localdate())
    assert due.filter(due_on__lt=timezone.localdate()).exists()  # one is overdue
    assert due.filter(due_hours__isnull=False).exists()  # the counter-based one
    assert MaintenanceOccurrence.objects.filter(intervention__isnull=False).count() == 0
