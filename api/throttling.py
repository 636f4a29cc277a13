"""Rate limiting per API token, counted in the configured cache.

The counters live in Django's ``default`` cache: Redis in production (``REDIS_URL``), so every
application process counts the same requests; with the per-process LocMem cache (no Redis),
each process would count on its own and a token could make N times the rate.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """``API_THROTTLE_RATE`` requests per token (e.g. "600/min"); anonymous requests get 401
    before being counted. The rate is read at each request, so tests can change it."""

    scope = "api_token"
    cache_format = "api-throttle:%(ident)s"

    def get_rate(self) -> str | None:
        return getattr(settings, "API_THROTTLE_RATE", None) or None

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        # the prefix, not the id: unique and never reused, even by a rolled-back insert
        return self.cache_format % {"ident": token.prefix}
