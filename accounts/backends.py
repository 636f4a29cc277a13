"""Logging in with the identification code, typed as both username and password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts import secrets as codes
from accounts import throttle
from accounts.services import user_for_code
from service_portal.client_ip import client_ip

LOGIN_PREFIX = "login-"


class AddressLimitBackend:
    """Guessing across many usernames from one address: after
    ``LOGIN_FREE_FAILURES_PER_ADDRESS`` failed logins (any usernames) the address waits, the
    waits doubling up to ``LOGIN_ADDRESS_MAX_WAIT_SECONDS``. django-axes locks one username per
    address; this catches the attacker who tries a few passwords on every username.

    Listed after axes, before the backends that check passwords: while the address waits no
    password is checked (``PermissionDenied`` stops Django's loop over the backends). The
    portal's login page then answers 429 (``request.login_address_wait``); failures are counted
    by ``count_failure`` (a ``user_login_failed`` receiver). It has no ``get_user``: it never
    logs anyone in, and sessions (``force_login`` too) belong to the backends that do.
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any):
        if request is None:
            return None
        wait = throttle.seconds_to_wait(throttle.address_keys(client_ip(request), LOGIN_PREFIX))
        if wait:
            request.login_address_wait = wait
            raise PermissionDenied
        return None


def count_failure(sender: Any, credentials: dict, request: HttpRequest | None = None, **kw):
    if request is None or getattr(request, "login_address_wait", 0):
        return
    if getattr(request, "axes_locked_out", False):
        return  # refused by the lockout, no password was checked
    throttle.record_failure(
        throttle.address_keys(client_ip(request), LOGIN_PREFIX),
        free=settings.LOGIN_FREE_FAILURES_PER_ADDRESS,
        cap=settings.LOGIN_ADDRESS_MAX_WAIT_SECONDS,
    )


class FirstLoginCodeBackend(ModelBackend):
    """Accepts a valid, unexpired code of a user in onboarding, and nothing else.

    The session it opens is confined to the onboarding page by OnboardingMiddleware. Normal
    credentials are left to ModelBackend; django-axes, listed first, counts failures of both.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ):
        if not username or not password:
            return None
        if codes.normalise_code(username) != codes.normalise_code(password):
            return None
        user = user_for_code(username)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
