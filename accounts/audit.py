"""The authentication audit trail (AuthEvent rows) and the signal receivers that feed it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from accounts.models import AuthEvent, User
from service_portal.client_ip import client_ip

__all__ = ["axes_username", "client_ip", "record_event"]


def record_event(
    kind: str,
    *,
    user: User | None = None,
    username: str = "",
    request: HttpRequest | None = None,
    actor: User | None = None,
    detail: str = "",
) -> AuthEvent:
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return AuthEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.username if user else ""))[:150],
        actor=actor,
        ip_address=client_ip(request),
        user_agent=agent[:255],
        detail=detail[:255],
    )


def on_logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_event(AuthEvent.Kind.LOGIN, user=user, request=request)


def on_logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_event(AuthEvent.Kind.LOGOUT, user=user, request=request)


def on_login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None, **kw):
    username = str(credentials.get("username", ""))
    # The typed "username" may be somebody's identification code: never store it in clear.
    user = User.objects.filter(username=username).first() if username else None
    record_event(
        AuthEvent.Kind.LOGIN_FAILED,
        user=user,
        username=username if user else _mask(username),
        request=request,
    )


def on_locked_out(sender: Any, request: HttpRequest, username: str, **kwargs: Any) -> None:
    user = User.objects.filter(username=username).first() if username else None
    record_event(
        AuthEvent.Kind.LOCKOUT,
        user=user,
        username=username if user else _mask(username),
        request=request,
    )


def _mask(text: str) -> str:
    """An unknown name is kept only in part: it might be a mistyped password or a code."""
    return f"{text[:3]}…" if len(text) > 3 else text


def axes_username(request: HttpRequest | None, credentials: dict | None = None) -> str:
    """The username django-axes records and locks (AXES_USERNAME_CALLABLE).

    An account's username is kept as is, so an administrator sees whose login is locked. Any
    other text may be an identification code typed at first login or a password typed in the
    wrong field: axes gets a keyed hash of it instead (``#`` and 24 hex digits), the same for
    the same text, so repeated guesses of one name still lock that name, and nothing readable
    is stored. NUL characters are dropped first and the text is cut to 150 characters, so a
    hostile login form is a form error, never a 500.
    """
    if credentials:
        value = credentials.get("username", "")
    else:
        value = request.POST.get("username", "") if request is not None else ""
    typed = str(value or "").replace("\x00", "")[:150]
    if not typed:
        return ""
    # axes asks several times per login attempt: one query per request and name.
    known = getattr(request, "_axes_usernames", None) if request is not None else None
    if known is None:
        known = {}
        if request is not None:
            request._axes_usernames = known
    if typed not in known:
        exists = User.objects.filter(username=typed).exists()
        known[typed] = typed if exists else redacted_username(typed)
    return known[typed]


def redacted_username(typed: str) -> str:
    digest = salted_hmac("accounts.audit.axes_username", typed, algorithm="sha256").hexdigest()
    return "#" + digest[:24]
