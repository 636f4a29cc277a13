"""Failure counters with growing waits, for the password-recovery steps.

Logins are protected by django-axes; recovery has its own counters because its steps (code,
secret answer) are not logins. Each failure is counted twice: against the account (someone
guessing one person's answer from many addresses) and against the address (one machine trying
many accounts). After ``free`` failures every further one doubles the wait, up to ``cap``.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Throttle

ACCOUNT = "account"
ADDRESS = "address"


def wait_for(failures: int, free: int | None = None, cap: int | None = None) -> datetime.timedelta:
    extra = failures - (settings.RECOVERY_FREE_FAILURES if free is None else free)
    if extra < 0:
        return datetime.timedelta(0)
    cap = settings.RECOVERY_MAX_WAIT_SECONDS if cap is None else cap
    # 2**extra grows without bound: cap the exponent before multiplying.
    seconds = min(settings.RECOVERY_BASE_WAIT_SECONDS * 2 ** min(extra, 40), cap)
    return datetime.timedelta(seconds=seconds)


def seconds_to_wait(keys: list[tuple[str, str]]) -> int:
    """How long the caller must still wait before trying again (0: go ahead)."""
    now = timezone.now()
    longest = 0.0
    for row in Throttle.objects.filter(
        blocked_until__gt=now, scope__in={s for s, _ in keys}, key__in={k for _, k in keys}
    ):
        if (row.scope, row.key) in keys:
            longest = max(longest, (row.blocked_until - now).total_seconds())
    return math.ceil(longest)


@transaction.atomic
def record_failure(
    keys: list[tuple[str, str]], free: int | None = None, cap: int | None = None
) -> None:
    now = timezone.now()
    for scope, key in keys:
        row, _ = Throttle.objects.select_for_update().get_or_create(scope=scope, key=key)
        if row.blocked_until and row.blocked_until > now:
            # Knocking during a wait neither counts nor prolongs it: otherwise one request every
            # few minutes would keep a counter closed for good.
            continue
        quiet = datetime.timedelta(seconds=settings.RECOVERY_FAILURE_WINDOW_SECONDS)
        if row.last_failure_at and now - row.last_failure_at > quiet:
            row.failures = 0  # a long quiet spell forgives old mistakes
        row.failures += 1
        row.last_failure_at = now
        wait = wait_for(row.failures, free, cap)
        row.blocked_until = now + wait if wait else None
        row.save(update_fields=["failures", "last_failure_at", "blocked_until"])


def reset(keys: list[tuple[str, str]]) -> None:
    for scope, key in keys:
        Throttle.objects.filter(scope=scope, key=key).delete()


def keys_for(*, account: str, address: str | None, prefix: str = "") -> list[tuple[str, str]]:
    """``prefix`` keeps separate counters, e.g. for recovery *requests* (e-mails sent)."""
    keys = [(prefix + ACCOUNT, account)]
    if address:
        keys.append((prefix + ADDRESS, address))
    return keys


def address_keys(address: str | None, prefix: str = "") -> list[tuple[str, str]]:
    return [(prefix + ADDRESS, address)] if address else []
