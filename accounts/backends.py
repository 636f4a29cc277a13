"""Logging in with the identification code, typed as both username and password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts import secrets as codes
from accounts.services import user_for_code


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
