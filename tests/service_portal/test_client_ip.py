"""The client's address as every limit and the audit log read it (service_portal.client_ip)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from service_portal.client_ip import client_ip

PROXY = "10.0.0.5"


def _request(rf, forwarded: str | None = None, **meta):
    extra = {"REMOTE_ADDR": PROXY, **meta}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(rf, "203.0.113.9")) == PROXY


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),  # nginx replacing the header
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # appending: the forged part is left
        (1, " 203.0.113.9 ", "203.0.113.9"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "::ffff:203.0.113.9", "203.0.113.9"),  # one client, one spelling
        (1, "junk, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9, 10.9.9.9", "203.0.113.9"),  # load balancer + nginx
        (1, "", PROXY),  # no header: someone reached the app without the proxy
        (1, "not-an-address", PROXY),
        (1, "0.0.0.0", PROXY),  # noqa: S104 - what a client may write, never an address
        (2, "203.0.113.9", PROXY),  # fewer entries than proxies: not believed
    ],
)
def test_the_client_is_the_entry_the_trusted_proxies_wrote(
    rf, settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(rf, forwarded)) == expected


def test_another_header_can_be_named(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PROXY_HEADER = "X-Real-IP"
    request = _request(rf, "198.51.100.1", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_axes_and_every_limit_use_the_same_function():
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "service_portal.client_ip.client_ip"
    from accounts import audit
    from service_portal import signed_links

    # the customer's links (offers, quotes) are limited per address in signed_links
    assert audit.client_ip is client_ip and signed_links.client_ip is client_ip
