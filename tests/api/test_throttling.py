"""Each token has a request rate; beyond it the API answers 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from api.models import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_a_token_beyond_its_rate_gets_429_in_its_language(api_for, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    busy = api_for(Scope.CUSTOMERS_READ)
    for _ in range(3):
        assert busy.get("/api/v1/customers/").status_code == 200
    refused = busy.get("/api/v1/customers/", HTTP_ACCEPT_LANGUAGE="it")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Troppe richieste con questo token")
    english = busy.get("/api/v1/customers/").json()["detail"]
    assert english.startswith("Too many requests with this token: try again in")
    # another token has its own count
    assert api_for(Scope.CUSTOMERS_READ).get("/api/v1/customers/").status_code == 200


def test_no_limit_when_the_rate_is_empty(api_for, settings):
    settings.API_THROTTLE_RATE = ""
    client = api_for(Scope.CUSTOMERS_READ)
    assert all(client.get("/api/v1/customers/").status_code == 200 for _ in range(5))
