"""Rate limiting per API token, on the portal's shared counters.

The counts are ``service_portal.ratelimit``'s: in Redis when ``REDIS_URL`` is set, in the
database otherwise, so every application process counts the same requests (with a process's
own memory, N processes would allow N times the rate). Fixed windows of the rate's unit: at
most ``API_THROTTLE_RATE`` requests per token per minute (hour...), then 429 with Retry-After
until the window ends.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken
from service_portal import ratelimit


class TokenRateThrottle(SimpleRateThrottle):
    """``API_THROTTLE_RATE`` requests per token (e.g. "600/min"); anonymous requests get 401
    before being counted. The rate is read at each request, so tests can change it."""

    scope = "api_token"

    def get_rate(self) -> str | None:
        return getattr(settings, "API_THROTTLE_RATE", None) or None

    def allow_request(self, request, view) -> bool:
        self._wait = 0
        rate = self.get_rate()
        if rate is None:
            return True
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        limit, window = self.parse_rate(rate)
        # the prefix, not the id: unique and never reused, even by a rolled-back insert
        self._wait = ratelimit.hit("api-token", token.prefix, limit=limit, window=window)
        return not self._wait

    def wait(self) -> float | None:
        return self._wait or None
