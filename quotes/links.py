"""The signed, expiring link that lets a customer accept or decline a quote without an account
(``service_portal.signed_links``, the same mechanism as offers' with its own salt): it stops
working ``QUOTE_LINK_DAYS`` after it was sent."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from service_portal import signed_links

SALT = "quotes.quote-acceptance"


def make_token(quote_id: int) -> str:
    return signed_links.make_token(SALT, quote_id)


def read_token(token: str) -> int:
    """The quote id in ``token``; ``LinkExpired`` or ``LinkInvalid`` otherwise."""
    return signed_links.read_token(SALT, token, days=settings.QUOTE_LINK_DAYS)


def acceptance_url(quote_id: int) -> str:
    return settings.SITE_URL + reverse("quotes:public_quote", args=[make_token(quote_id)])
