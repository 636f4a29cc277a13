"""Offer codes stay unique when many operators create offers at once (PostgreSQL only)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from accounts.models import Role
from orders.models import Offer
from orders.services import create_draft_offer
from tests.factories import make_user
from tests.orders.factories import make_setting


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_offers_get_distinct_codes():
    workers, per_worker = 6, 5
    user = make_user("clerk", Role.OPERATOR)
    setting = make_setting()
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work():
        try:
            barrier.wait()
            for _ in range(per_worker):
                create_draft_offer(acting_user=user, **setting)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    codes = list(Offer.objects.values_list("code", flat=True))
    assert len(codes) == workers * per_worker == len(set(codes))
    numbers = sorted(int(code.split("-")[1]) for code in codes)
    assert numbers == list(range(1, workers * per_worker + 1))
