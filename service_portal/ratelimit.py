"""Fixed-window request counters on the shared cache (Redis in production, LocMem in tests).

``hit(scope, key, limit, window)`` counts one request for ``key`` in the current window of
``window`` seconds and returns how many seconds the caller must wait, or 0 when the request is
within ``limit``. Every app process shares the counters through the cache, so the limit holds
however many processes serve the portal. A cache that is down never blocks a request.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.core.cache import cache


def _cache_key(scope: str, key: str, window: int, now: float) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{int(now // window)}"


def hit(scope: str, key: str, *, limit: int, window: int) -> int:
    """Count a request; the seconds to wait (Retry-After) when over ``limit``, else 0."""
    now = time.time()
    name = _cache_key(scope, key, window, now)
    try:
        cache.add(name, 0, timeout=window + 1)
        count = cache.incr(name)
    except ValueError:  # the key expired between add and incr: this is the window's first
        cache.set(name, 1, timeout=window + 1)
        count = 1
    except Exception:  # noqa: BLE001 - a cache outage must not take the page down
        return 0
    if count <= limit:
        return 0
    return max(1, math.ceil(window - now % window))
