"""Fixed-window request counters shared by every app process.

``hit(scope, key, limit, window)`` counts one request for ``key`` in the current window of
``window`` seconds and returns how many seconds the caller must wait, or 0 when the request is
within ``limit``.

The counters must be shared, or N gunicorn workers allow N times the rate. With Redis
(``REDIS_URL``) they live in the cache (``INCR``); without it, in the database (one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per request on a ``RateCounter`` row, on
PostgreSQL and SQLite alike), never in a process's own memory. A counter store that fails
never blocks a request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from service_portal.models import RateCounter

log = logging.getLogger(__name__)

# About one request in this many also deletes the rows of windows long past.
PURGE_ONE_IN = 500


def _name(scope: str, key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]
    return f"{scope}:{digest}"


def hit(scope: str, key: str, *, limit: int, window: int) -> int:
    """Count a request; the seconds to wait (Retry-After) when over ``limit``, else 0."""
    now = time.time()
    start = int(now // window) * window
    name = _name(scope, key)
    try:
        if settings.RATELIMIT_STORE == "cache":
            count = _cache_hit(f"ratelimit:{name}:{start}", window)
        else:
            count = _database_hit(name, start, start + window, int(now))
    except Exception:  # noqa: BLE001 - a counter store outage must not take the page down
        log.warning("rate limit store unavailable", exc_info=True)
        return 0
    if count <= limit:
        return 0
    return max(1, math.ceil(window - now % window))


def _cache_hit(name: str, window: int) -> int:
    cache.add(name, 0, timeout=window + 1)
    try:
        return cache.incr(name)
    except ValueError:  # the key expired between add and incr: this is the window's first
        cache.set(name, 1, timeout=window + 1)
        return 1


_UPSERT = """
    INSERT INTO {table} (key, window_start, expires, hits) VALUES (%s, %s, %s, 1)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN {table}.window_start = excluded.window_start
                    THEN {table}.hits + 1 ELSE 1 END,
        window_start = excluded.window_start,
        expires = excluded.expires
    RETURNING hits
"""


def _database_hit(name: str, start: int, end: int, now: int) -> int:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    sql = _UPSERT.format(table=table)
    # One statement, atomic on its own: the limits are checked outside any transaction.
    with connection.cursor() as cursor:
        cursor.execute(sql, [name, start, end])
        (count,) = cursor.fetchone()
    if random.randrange(PURGE_ONE_IN) == 0:  # noqa: S311 - housekeeping, not security
        RateCounter.objects.filter(expires__lt=now).delete()
    return count
