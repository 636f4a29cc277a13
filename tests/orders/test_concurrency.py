"""Offer codes stay unique when many operators create offers at once, and of clerks saving the
same cart line at once only one wins (PostgreSQL only)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from accounts.models import Role
from orders.models import Offer, OfferLine
from orders.services import OfferError, create_draft_offer, update_line
from tests.factories import make_user
from tests.orders.factories import make_draft, make_part, make_setting


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


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_clerks_saving_the_same_cart_line_at_once_one_wins():
    """Both opened the cart at the same version: one save goes through, the other is refused
    (the line is read and bumped under lock, so neither overwrites the other unseen)."""
    workers = 4
    user = make_user("clerk", Role.OPERATOR)
    line = make_draft(user, parts=[make_part()]).lines.get()
    refused: list[OfferError] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work(quantity):
        try:
            barrier.wait()
            update_line(
                line=OfferLine.objects.select_related("offer").get(pk=line.pk),
                acting_user=user,
                quantity=Decimal(quantity),
                unit_price=Decimal("1"),
                discount_percent=Decimal("0"),
                expected_version=line.version,
            )
        except OfferError as exc:
            refused.append(exc)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n + 2,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(refused) == workers - 1
    line.refresh_from_db()
    assert line.version == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_a_double_acceptance_through_the_link_creates_one_order():
    """The customer clicks "accept" twice, or in two tabs, at the same moment: one acceptance,
    one order; the other click is told the offer is already accepted."""
    from orders.models import Order
    from orders.services import record_decision
    from tests.orders.factories import make_sent

    workers = 4
    user = make_user("clerk", Role.OPERATOR)
    offer = make_sent(user, parts=[make_part()])
    refused: list[OfferError] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work():
        try:
            barrier.wait()
            record_decision(
                offer=Offer.objects.get(pk=offer.pk), accept=True, name="G", channel="link"
            )
        except OfferError as exc:
            refused.append(exc)
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
    assert len(refused) == workers - 1
    assert Order.objects.filter(offer=offer).count() == 1
    assert offer.history.filter(to_state="accepted").count() == 1
