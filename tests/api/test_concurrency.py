"""Two upserts of the same new code at the same moment give one record (PostgreSQL only:
SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from customers.importing import upsert
from customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_concurrent_upserts_of_a_new_code_create_one_record():
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[Exception] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            _obj, action = upsert(
                Customer, external_code="RACE-1", values={"name": "Race S.r.l.", "city": "Roma"}
            )
            outcomes.append(action)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Customer.objects.filter(external_code="RACE-1").count() == 1
    assert sorted(outcomes) == ["created", "unchanged", "unchanged", "unchanged"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_concurrent_spare_part_upserts_of_a_new_code_create_one_part():
    from api.catalogue import upsert_spare_part
    from orders.models import SparePart, VatRate

    VatRate.objects.create(code="22", rate=22, name_it="IVA 22%", name_en="VAT 22%")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[Exception] = []
    row = {"description_it": "Valvola", "list_price": "12.50"}

    def work() -> None:
        try:
            barrier.wait()
            outcomes.append(upsert_spare_part(code="RACE-P", row=row)[1])
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert SparePart.objects.filter(code="RACE-P").count() == 1
    assert sorted(outcomes) == ["created", "unchanged", "unchanged", "unchanged"]
