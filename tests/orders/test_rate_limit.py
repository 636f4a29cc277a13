"""The customer's acceptance link is rate-limited per client address and per offer."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.urls import reverse

from orders.links import make_token
from orders.models import OfferState
from service_portal import ratelimit
from service_portal.models import RateCounter
from tests.orders.factories import make_part, make_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(operator):
    return make_sent(operator, parts=[make_part()])


def _path(offer) -> str:
    return reverse("orders:public_offer", args=[make_token(offer.pk)])


def test_too_many_requests_from_one_address_get_a_translated_429(sent, client, settings):
    settings.OFFER_LINK_RATE_PER_ADDRESS = 3
    settings.OFFER_LINK_RATE_WINDOW_SECONDS = 600
    for _ in range(3):
        assert client.get(_path(sent)).status_code == 200
    response = client.get(_path(sent), HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 600
    assert "Troppe richieste" in response.content.decode()
    # Another address is not affected.
    other = client.get(_path(sent), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_guessing_tokens_counts_against_the_address(sent, client, settings):
    settings.OFFER_LINK_RATE_PER_ADDRESS = 2
    for guess in ("abc", "1:xyz"):
        assert client.get(reverse("orders:public_offer", args=[guess])).status_code == 404
    assert client.get(_path(sent)).status_code == 429


def test_one_offer_is_limited_whichever_address_asks(sent, client, settings, operator):
    settings.OFFER_LINK_RATE_PER_OFFER = 2
    for n in range(2):
        assert client.get(_path(sent), REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
    blocked = client.post(
        _path(sent), {"name": "Mallory", "decision": "decline"}, REMOTE_ADDR="10.0.0.9"
    )
    assert blocked.status_code == 429
    assert blocked["Retry-After"].isdigit()
    sent.refresh_from_db()
    assert sent.state == OfferState.SENT  # the refused request changed nothing
    # Another offer's link still works.
    other = make_sent(operator, parts=[make_part()])
    assert client.get(_path(other), REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_limit_is_lifted_when_the_window_ends(sent, client, settings, monkeypatch):
    settings.OFFER_LINK_RATE_PER_ADDRESS = 1
    settings.OFFER_LINK_RATE_WINDOW_SECONDS = 60
    clock = [1_000_000.0]
    monkeypatch.setattr("service_portal.ratelimit.time.time", lambda: clock[0])
    assert client.get(_path(sent)).status_code == 200
    response = client.get(_path(sent))
    assert response.status_code == 429
    assert response["Retry-After"] == "20"  # 1_000_000 is 40 s into its 60 s window
    clock[0] += 20
    assert client.get(_path(sent)).status_code == 200


@pytest.mark.parametrize(
    ("store", "part"),
    [
        ("cache", "service_portal.ratelimit.cache.add"),
        ("database", "service_portal.ratelimit._database_hit"),
    ],
)
def test_a_counter_store_outage_never_blocks_the_customer(
    sent, client, settings, monkeypatch, store, part
):
    settings.RATELIMIT_STORE = store
    settings.OFFER_LINK_RATE_PER_ADDRESS = 1

    def broken(*args, **kwargs):
        raise OperationalError(f"{store} down")

    monkeypatch.setattr(part, broken)
    for _ in range(3):
        assert client.get(_path(sent)).status_code == 200


def test_without_redis_the_counters_are_in_the_database(sent, client, settings):
    """Several gunicorn workers share no memory, only the database: the count holds across
    them (a worker's own cache, emptied here, plays no part)."""
    assert settings.RATELIMIT_STORE == "database"  # no REDIS_URL in the tests
    settings.OFFER_LINK_RATE_PER_ADDRESS = 2
    for _ in range(2):
        assert client.get(_path(sent)).status_code == 200
    cache.clear()  # as if the next request reached another worker
    assert client.get(_path(sent)).status_code == 429
    assert RateCounter.objects.filter(key__startswith="offer-link-address:").get().hits == 3


@pytest.mark.django_db(transaction=True)
def test_two_connections_count_together(settings):
    """Two app processes each have their own database connection: here two threads."""
    settings.RATELIMIT_STORE = "database"
    waits: list[int] = []

    def worker():
        try:
            waits.extend(ratelimit.hit("test", "k", limit=3, window=3600) for _ in range(2))
        finally:
            connection.close()

    for _ in range(2):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert waits[:3] == [0, 0, 0] and waits[3] > 0
    assert RateCounter.objects.get().hits == 4
