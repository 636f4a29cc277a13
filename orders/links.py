"""The signed, expiring link that lets a customer accept or decline an offer without an account
(``service_portal.signed_links``): it stops working ``OFFER_LINK_DAYS`` after it was made."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from service_portal import signed_links
from service_portal.signed_links import LinkExpired, LinkInvalid

__all__ = ["LinkExpired", "LinkInvalid", "acceptance_url", "make_token", "read_token"]

SALT = "orders.offer-acceptance"


def make_token(offer_id: int) -> str:
    return signed_links.make_token(SALT, offer_id)


def read_token(token: str) -> int:
    """The offer id in ``token``; LinkExpired or LinkInvalid otherwise."""
    return signed_links.read_token(SALT, token, days=settings.OFFER_LINK_DAYS)


def acceptance_url(offer_id: int) -> str:
    return settings.SITE_URL + reverse("orders:public_offer", args=[make_token(offer_id)])
