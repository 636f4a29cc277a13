"""Sessions read from the cache (Redis) and written through to the database.

With ``REDIS_URL`` set, ``SESSION_ENGINE`` is this module: Django's ``cached_db`` store, which
reads a session from the cache and falls back to the database row (then copies it into the
cache); every write goes to the database first, then to the cache. A signed-in page then reads
no session row. The idle expiry is unchanged: ``accounts.middleware.IdleSessionMiddleware``
saves the session at most once a minute, which moves the row's expiry and the cache entry's
timeout together.

One difference from Django's store: when Redis cannot be reached, the signed-in keep working
from the database (Django's store fails on copying a session read there into the cache, and on
checking a new key against it). Writes already log a cache failure and go on. Signing in and
out still fail loudly while Redis is unreachable (both remove a session from the cache): a
session that could not be removed from the cache is never reported as ended.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDBStore):
    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Sessions: cache unavailable for reading (%s)", self._cache)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception:
            logger.warning("Sessions: cache unavailable for writing (%s)", self._cache)
        return data

    def exists(self, session_key: str | None) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("Sessions: cache unavailable for reading (%s)", self._cache)
        return bool(session_key) and super(CachedDBStore, self).exists(session_key)
