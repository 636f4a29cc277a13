"""Two people change the same intervention at the same moment: exactly one wins."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from calls import services
from calls.models import Intervention, InterventionTransition, State
from calls.services import CallError
from tests.calls.factories import make_intervention
from tests.factories import make_user

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(workers: int, action) -> tuple[list[str], list[BaseException]]:
    wins: list[str] = []
    refusals: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def work(index: int) -> None:
        try:
            barrier.wait()
            action(index)
            with lock:
                wins.append(str(index))
        except CallError as refused:
            with lock:
                refusals.append(refused)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return wins, refusals


def test_concurrent_transitions_of_one_intervention_only_one_wins():
    from accounts.models import Role

    technician = make_user("tech-race", Role.TECHNICIAN)
    operators = [make_user(f"op-race-{i}", Role.OPERATOR) for i in range(6)]
    intervention = make_intervention(State.NEW, technician=technician)
    # Half of them close it as resolved by phone, half cancel it (both final states): whoever
    # locks first wins, the others find a state from which no change is allowed.
    targets = [State.RESOLVED_BY_PHONE, State.CANCELLED] * 3

    def act(index: int) -> None:
        services.transition(
            intervention=Intervention.objects.get(pk=intervention.pk),
            to_state=targets[index],
            acting_user=operators[index],
            reason="race",
        )

    wins, refusals = _race(6, act)
    intervention.refresh_from_db()
    changes = InterventionTransition.objects.filter(intervention=intervention, from_state=State.NEW)
    assert len(wins) == 1 and len(refusals) == 5
    assert changes.count() == 1
    assert changes.get().to_state == intervention.state


def test_concurrent_follow_ups_get_one_intervention():
    from accounts.models import Role

    operators = [make_user(f"op-fu-{i}", Role.OPERATOR) for i in range(4)]
    intervention = make_intervention(State.DONE)

    def act(index: int) -> None:
        services.add_follow_up_intervention(
            call=intervention.call, acting_user=operators[index], reason="Again."
        )

    wins, refusals = _race(4, act)
    assert len(wins) == 1 and len(refusals) == 3
    assert list(
        Intervention.objects.filter(call=intervention.call).values_list("number", flat=True)
    ) == [1, 2]


def test_concurrent_identical_plans_record_one_change():
    from accounts.models import Role

    technician = make_user("tech-plan", Role.TECHNICIAN)
    operators = [make_user(f"op-plan-{i}", Role.OPERATOR) for i in range(5)]
    intervention = make_intervention(State.EXPECTED, technician=technician)
    from django.utils import timezone

    from planner.models import Activity

    start = timezone.now() + datetime.timedelta(days=1)
    Activity.objects.create(  # the visit the planner made before moving it to planned
        technician=technician,
        kind="intervention",
        start=start,
        end=start + datetime.timedelta(hours=1),
        intervention=intervention,
        created_by=operators[0],
    )

    def act(index: int) -> None:
        services.transition(
            intervention=Intervention.objects.get(pk=intervention.pk),
            to_state=State.PLANNED,
            acting_user=operators[index],
        )

    wins, refusals = _race(5, act)
    assert len(wins) == 1 and len(refusals) == 4
    assert (
        InterventionTransition.objects.filter(
            intervention=intervention, to_state=State.PLANNED
        ).count()
        == 1
    )
