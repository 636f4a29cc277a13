"""The authentication audit trail (AuthEvent rows) and the signal receivers that feed it."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.http import HttpRequest

from accounts.models import AuthEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return get_client_ip_address(request) or None
    except Exception:  # noqa: BLE001 - an odd header must never break a login
        return request.META.get("REMOTE_ADDR") or None


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


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username django-axes records (AXES_USERNAME_CALLABLE): what was typed, without NUL
    characters and cut to the column's size, so a hostile login form is a form error, not a 500."""
    if credentials:
        value = credentials.get("username", "")
    else:
        value = request.POST.get("username", "") if request is not None else ""
    return str(value or "").replace("\x00", "")[:150]
