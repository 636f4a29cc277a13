"""Codes per series and year: sequential, no duplicates, no gaps, even under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from service_portal import numbering
from service_portal.models import Counter


@pytest.mark.django_db
def test_codes_are_sequential_per_series_and_year():
    with transaction.atomic():
        assert numbering.next_code("call", year=2026) == "2026-000001"
        assert numbering.next_code("call", year=2026) == "2026-000002"
        assert numbering.next_code("call", year=2027) == "2027-000001"
        assert numbering.next_code("offer", year=2026, width=4, separator="/") == "2026/0001"


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back():
    with transaction.atomic():
        numbering.next_value("invoice", 2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_value("invoice", 2026)
        raise RuntimeError("the invoice failed")
    with transaction.atomic():
        assert numbering.next_value("invoice", 2026) == (2026, 2)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses():
    with pytest.raises(RuntimeError, match="transaction.atomic"):
        numbering.next_value("call", 2026)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_get_distinct_gapless_numbers():
    workers, per_worker = 8, 15
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def work():
        try:
            barrier.wait()
            for i in range(per_worker):
                try:
                    with transaction.atomic():
                        _, number = numbering.next_value("concurrency", 2026)
                        if i % 5 == 4:
                            raise _Rollback  # a failing caller must not leave a gap
                    with lock:
                        results.append(number)
                except _Rollback:
                    pass
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
    committed = workers * per_worker * 4 // 5
    assert sorted(results) == list(range(1, committed + 1))
    assert Counter.objects.get(series="concurrency", year=2026).value == committed


class _Rollback(Exception):
    pass
