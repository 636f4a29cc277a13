"""The client's address, the same for every limit and for the audit log.

Behind a reverse proxy ``REMOTE_ADDR`` is the proxy's address: every client would share one
login lockout, one recovery counter and one acceptance-link limit. The proxy writes the address
it saw in a header (``X-Forwarded-For`` by default, ``PROXY_HEADER``), and each further proxy in
front appends the one it saw, so with ``TRUSTED_PROXY_COUNT`` proxies the client is that many
places from the right of the list. What a client writes into the header itself stays on the left
and is never read. Without trusted proxies (the default) the header is ignored altogether.

django-ipware does the parsing (IPv6, ports, RFC 7239 ``Forwarded`` elements, IPv4-mapped
addresses, junk entries), given exactly one header and a fixed position; its defaults (many
headers, "the first public address wins") would trust whatever a client sends, so they are not
used. A request that lacks the header (someone reaching the app without the proxy) is counted
under its own ``REMOTE_ADDR``.

django-axes (``AXES_CLIENT_IP_CALLABLE``), ``accounts.throttle`` (recovery and the per-address
login limit), the acceptance-link limit and ``AuthEvent`` all call ``client_ip``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def meta_key(header: str) -> str:
    """``X-Forwarded-For`` -> ``HTTP_X_FORWARDED_FOR`` (the key of ``request.META``)."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    try:
        # ipware counts the proxies *between* the client and the app inside the header: the
        # last proxy, which talks to the app, is REMOTE_ADDR and not in the list.
        address, _routable = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=[meta_key(settings.PROXY_HEADER)],
            strict=False,
        )
    except ValueError:  # an odd header must never break a login
        address = None
    return address or remote
