"""Two people saving the same quote at once: one wins, the other is told, nothing is mixed."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection, connections
from django.utils import translation

from quotes.selectors import quoted_quantities
from quotes.services import (
    LineChange,
    QuoteError,
    create_quote_from_price_list,
    update_quote_lines,
)
from tests.factories import make_customer
from tests.quotes.factories import make_price_list


@pytest.mark.django_db
def test_quoted_quantities_by_kind(administrator):
    quote = create_quote_from_price_list(
        customer=make_customer(), price_list=make_price_list(), acting_user=administrator
    )
    line = quote.lines.get(code="MO")
    update_quote_lines(
        quote=quote,
        lines=[
            LineChange(line_id=line.pk, quantity=D("6")),
            LineChange(rate_id=line.rate_id, quantity=D("2.5")),
        ],
        acting_user=administrator,
    )
    assert quoted_quantities(quote) == {
        "labour_hour": D("8.50"),
        "travel_hour": D("1.00"),
        "km": D("1.00"),
        "call_out": D("1.00"),
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SELECT ... FOR UPDATE needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_the_same_version_one_wins(administrator, operator):
    quote = create_quote_from_price_list(
        customer=make_customer(), price_list=make_price_list(), acting_user=administrator
    )
    version = quote.version
    line_id = quote.lines.get(code="MO").pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(user, quantity):
        try:
            barrier.wait()
            with translation.override("en"):
                update_quote_lines(
                    quote=quote,
                    lines=[LineChange(line_id=line_id, quantity=D(quantity))],
                    acting_user=user,
                    version=version,
                )
            result = quantity
        except QuoteError as error:
            result = "conflict" if "Someone else" in error.messages[0] else repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=save, args=(administrator, "2")),
        threading.Thread(target=save, args=(operator, "3")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str)[-1] == "conflict" and len(outcomes) == 2
    winner = next(o for o in outcomes if o != "conflict")
    assert quote.lines.get(code="MO").quantity == D(winner)
