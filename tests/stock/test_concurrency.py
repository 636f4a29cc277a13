"""Two technicians take the last unit of a part at the same moment (PostgreSQL, threads)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import translation

from stock.models import MoveKind, StockLevel, StockMove
from stock.services import StockError, record_move
from tests.factories import make_user
from tests.orders.factories import make_part
from tests.stock.factories import make_central, receive

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(users, warehouse, part):
    wins, refusals = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def work(user):
        try:
            barrier.wait()
            # a thread starts in the site's default language: speak the test's
            with translation.override("en"):
                record_move(
                    kind=MoveKind.CONSUMPTION,
                    spare_part=part,
                    quantity=Decimal("1"),
                    from_warehouse=warehouse,
                    reference=user.username,
                    acting_user=user,
                )
            with lock:
                wins.append(user)
        except StockError as refused:
            with lock:
                refusals.append(refused)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return wins, refusals


def _setup():
    users = [make_user(f"race-tech-{i}", "technician") for i in range(2)]
    central, part = make_central(), make_part("LAST-1")
    receive(central, part, "1")
    return users, central, part


def test_the_last_unit_goes_to_one_technician_the_other_is_refused():
    users, central, part = _setup()
    wins, refusals = _race(users, central, part)
    assert len(wins) == 1
    assert len(refusals) == 1
    assert "Not enough “LAST-1”" in refusals[0].message
    assert StockLevel.objects.get(warehouse=central, spare_part=part).quantity == 0
    assert StockMove.objects.filter(kind=MoveKind.CONSUMPTION).count() == 1


def test_with_negative_stock_allowed_both_moves_are_kept(settings):
    settings.STOCK_ALLOW_NEGATIVE = True
    users, central, part = _setup()
    wins, refusals = _race(users, central, part)
    assert (len(wins), len(refusals)) == (2, 0)
    # Never a lost move: the level is the receipt minus both consumptions.
    assert StockLevel.objects.get(warehouse=central, spare_part=part).quantity == -1
    assert StockMove.objects.filter(kind=MoveKind.CONSUMPTION).count() == 2
