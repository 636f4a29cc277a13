"""The signed, expiring link that lets a customer accept or decline an offer without an account.

The token is the offer's primary key signed with a timestamp (``TimestampSigner``): it cannot be
forged or altered, and it stops working ``OFFER_LINK_DAYS`` after it was made. Whether the offer
can still be decided (not already decided, not superseded) is checked by the service, so a link
used twice is refused there.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "orders.offer-acceptance"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def make_token(offer_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(offer_id))


def read_token(token: str) -> int:
    """The offer id in ``token``; LinkExpired or LinkInvalid otherwise."""
    max_age = settings.OFFER_LINK_DAYS * 24 * 3600
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not (value.isascii() and value.isdigit()):
        raise LinkInvalid
    return int(value)


def acceptance_url(offer_id: int) -> str:
    return settings.SITE_URL + reverse("orders:public_offer", args=[make_token(offer_id)])
