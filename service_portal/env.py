"""Typed readers for configuration variables.

Every reader names the variable in its error, so a misconfigured deployment stops at start-up
with a message that says what to fix instead of failing later in an obscure place.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}


def parse_email_url(name: str, url: str) -> dict[str, object]:
    """Turn EMAIL_URL (``smtp+tls://user:password@host:587``) into Django's EMAIL_* settings."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _EMAIL_BACKENDS:
        known = ", ".join(sorted(_EMAIL_BACKENDS))
        raise ImproperlyConfigured(f"{name} has an unknown scheme {scheme!r}; use one of: {known}.")
    config: dict[str, object] = {"EMAIL_BACKEND": _EMAIL_BACKENDS[scheme]}
    if scheme == "file":
        config["EMAIL_FILE_PATH"] = parts.path
        return config
    if scheme.startswith("smtp") or scheme == "submission":
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name a host, e.g. smtp://mail.example.com:25.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        config["EMAIL_HOST"] = parts.hostname
        config["EMAIL_PORT"] = port or {"smtp+ssl": 465, "submission": 587}.get(scheme, 25)
        config["EMAIL_HOST_USER"] = unquote(parts.username or "")
        config["EMAIL_HOST_PASSWORD"] = unquote(parts.password or "")
        query = parse_qs(parts.query)
        config["EMAIL_USE_TLS"] = scheme in {"smtp+tls", "submission"} or "tls" in query
        config["EMAIL_USE_SSL"] = scheme == "smtp+ssl" or "ssl" in query
    return config
