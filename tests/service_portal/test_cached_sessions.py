"""Sessions read from the cache (Redis in production) keep the idle expiry of the database ones.

With REDIS_URL set the settings choose service_portal.sessions; here the same store runs on the
test cache (local memory), and on a cache that cannot be reached.
"""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from service_portal.sessions import SessionStore

KEY_PREFIX = SessionStore.cache_key_prefix

pytestmark = pytest.mark.django_db

PAGE = "customers:customer_list"


class UnreachableCache(BaseCache):
    """A cache server that is down: every call fails as the Redis client would."""

    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise ConnectionError("Redis is down")

    get = set = add = delete = has_key = clear = _down


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "service_portal.sessions"
    caches["default"].clear()
    return settings


def _row(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def _session_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def _age(client, seconds: int) -> None:
    """As if the session was last refreshed ``seconds`` ago: the row moved back in time, and the
    cache entry gone as its timeout (the session's age) would have dropped it."""
    row = _row(client)
    store = client.session
    data = store.decode(row.session_data)
    data["_refreshed_at"] -= seconds
    Session.objects.filter(pk=row.pk).update(
        session_data=store.encode(data),
        expire_date=row.expire_date - datetime.timedelta(seconds=seconds),
    )
    if settings.SESSION_CACHE_ALIAS == "default":
        caches["default"].delete(KEY_PREFIX + row.session_key)


def test_signed_in_pages_read_no_session_row(cached_sessions, client_for, technician):
    client = client_for(technician)
    assert client.get(reverse(PAGE)).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(PAGE)).status_code == 200
    assert _session_queries(ctx) == []


def test_an_active_session_is_extended_in_the_database_and_the_cache(
    cached_sessions, client_for, technician
):
    client = client_for(technician)
    _age(client, 61)
    aged = _row(client).expire_date
    assert client.get(reverse(PAGE)).status_code == 200
    extended = _row(client).expire_date
    assert extended > aged + datetime.timedelta(seconds=60)
    cached = caches["default"].get(KEY_PREFIX + _row(client).session_key)
    assert cached["_refreshed_at"] >= timezone.now().timestamp() - 5
    with CaptureQueriesContext(connection) as ctx:  # the next page: from the cache, no write
        assert client.get(reverse(PAGE)).status_code == 200
    assert _session_queries(ctx) == []
    assert _row(client).expire_date == extended


def test_an_idle_session_is_logged_out(cached_sessions, client_for, technician):
    client = client_for(technician)
    _age(client, cached_sessions.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logging_out_ends_the_cached_session(cached_sessions, client_for, technician):
    client = client_for(technician)
    assert client.get(reverse(PAGE)).status_code == 200
    key = client.cookies["sessionid"].value
    stolen = client_for(None)
    stolen.cookies["sessionid"] = key  # a copy of the cookie kept by someone else
    client.post(reverse("accounts:logout"))
    assert caches["default"].get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()
    assert stolen.get(reverse(PAGE)).status_code == 302


def test_when_redis_is_down_the_signed_in_keep_working(cached_sessions, client_for, technician):
    client = client_for(technician)
    cached_sessions.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "down": {"BACKEND": f"{__name__}.UnreachableCache"},
    }
    cached_sessions.SESSION_CACHE_ALIAS = "down"
    _age(client, 61)  # read from the database, and its expiry moved there
    aged = _row(client).expire_date
    for _ in range(2):
        assert client.get(reverse(PAGE)).status_code == 200
    assert _row(client).expire_date > aged
    anonymous = client_for(None)
    anonymous.cookies["sessionid"] = "no-such-session-key-0123456789"
    assert anonymous.get(reverse(PAGE)).status_code == 302  # a made-up key is still refused
