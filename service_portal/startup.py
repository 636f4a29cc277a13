"""Refuse to serve with the public development key anywhere but on this machine.

Development needs no configuration: without ``SECRET_KEY`` and with DEBUG on, settings use
``DEVELOPMENT_SECRET_KEY``, which is public (it is in the source). Anyone who knows it can forge
sessions, acceptance links and password-recovery state, so a server reachable from elsewhere
must never run with it. Settings refuse it when DEBUG is off; ``wsgi.py`` and ``asgi.py`` call
``refuse_development_key`` before serving, which refuses it for every server (gunicorn, uvicorn,
a proxy in front of anything) except ``manage.py runserver`` bound to a loopback address, which
is what ``make run`` starts.
"""

from __future__ import annotations

import ipaddress
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105


def runserver_address(argv: list[str]) -> str | None:
    """The address ``manage.py runserver`` binds to, or None for any other program."""
    if len(argv) < 2 or argv[1] != "runserver":
        return None
    ipv6 = any(arg in ("-6", "--ipv6") for arg in argv[2:])
    addrport = next((arg for arg in argv[2:] if not arg.startswith("-")), "")
    if not addrport or addrport.isdigit():
        return "::1" if ipv6 else "127.0.0.1"  # runserver's own default
    host = addrport.rsplit(":", 1)[0] if not addrport.endswith("]") else addrport
    host = host.strip("[]")
    return "0.0.0.0" if host == "0" else host  # noqa: S104 - runserver's spelling of it


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def refuse_development_key(argv: list[str] | None = None) -> None:
    if settings.SECRET_KEY != DEVELOPMENT_SECRET_KEY:
        return
    address = runserver_address(sys.argv if argv is None else argv)
    if address is not None and is_loopback(address):
        return
    where = f"bound to {address}" if address else "outside `manage.py runserver` on 127.0.0.1"
    raise ImproperlyConfigured(
        f"SECRET_KEY is the public development key, and the portal would be served {where}. "
        "Set SECRET_KEY to a long random value (e.g. python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))') or serve on 127.0.0.1 only."
    )
