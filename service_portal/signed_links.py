"""Signed, expiring links that let a customer answer a document without an account.

The token is the document's primary key signed with a timestamp (``TimestampSigner``) and a salt
per kind of document: it cannot be forged, altered or used for another kind of document, and it
stops working ``days`` after it was made. Whether the document can still be answered (not
already decided, not superseded) is the owning app's service's business, so a link used twice
is refused there. Offers (``orders.links``) and quotes (``quotes.links``) use it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from service_portal import ratelimit
from service_portal.client_ip import client_ip


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def make_token(salt: str, document_id: int) -> str:
    return signing.TimestampSigner(salt=salt).sign(str(document_id))


def read_token(salt: str, token: str, *, days: int) -> int:
    """The document id in ``token``; ``LinkExpired`` or ``LinkInvalid`` otherwise."""
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=days * 24 * 3600)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not (value.isascii() and value.isdigit()):
        raise LinkInvalid
    return int(value)


# --- The pages a customer's link answers when it cannot be used (offers and quotes alike) -------
def refused(request: HttpRequest, *, expired: bool = False) -> HttpResponse:
    """An expired link (410), or a forged, altered or unusable one (404), said in plain words."""
    return render(
        request,
        "portal/public_link_error.html",
        {"expired": expired},
        status=410 if expired else 404,
    )


def too_many_requests(request: HttpRequest, wait: int) -> HttpResponse:
    """The rate limit's page (429) with how many minutes to wait and ``Retry-After``."""
    minutes = max(1, -(-wait // 60))
    response = render(request, "portal/public_link_busy.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait)
    return response


def open_link(
    request: HttpRequest, token: str, read: Callable[[str], int], *, kind: str
) -> int | HttpResponse:
    """The document id a customer's link carries (``read``: the owning app's ``read_token``),
    once the address is under its rate limit (``<kind>-link-address``); or the page that
    refuses it: 429 with the wait, 410 expired, 404 forged or altered."""
    wait = ratelimit.hit(
        f"{kind}-link-address",
        client_ip(request) or "",
        limit=settings.OFFER_LINK_RATE_PER_ADDRESS,
        window=settings.OFFER_LINK_RATE_WINDOW_SECONDS,
    )
    if wait:
        return too_many_requests(request, wait)
    try:
        return read(token)
    except LinkExpired:
        return refused(request, expired=True)
    except LinkInvalid:
        return refused(request)
