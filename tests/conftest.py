"""The fixed cast of the suite: one user per role, plus a second technician (an outsider)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from accounts.models import Role, User
from tests.factories import make_user

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


@pytest.fixture(autouse=True, scope="session")
def _static_files_looked_up_when_asked():
    """WhiteNoise indexes all the collected static files whenever a middleware chain is built,
    and the test client builds one for every new Client: some 800 files, a good part of a page
    test's time. No test needs the index (none is served from it), so WhiteNoise finds a file
    when it is asked for, as in development."""
    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache: every test starts with none. The company profile
    is kept there too: a test without a database has none, known without asking the database
    (saving or deleting one refreshes the cached copy, as in production)."""
    from django.core.cache import cache

    from service_portal import company

    cache.clear()
    company.remember(None)
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _company_profile(request, _empty_cache):
    """Every test with a database starts with the company profile filled in, as an installation
    in use (invoices cannot be issued without it); the tests of the fallback delete it."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        return None
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    from tests.factories import make_company_profile

    return make_company_profile()


@pytest.fixture
def administrator(db) -> User:
    return make_user("anna", Role.ADMINISTRATOR, password=PASSWORD)


@pytest.fixture
def operator(db) -> User:
    return make_user("oscar", Role.OPERATOR, password=PASSWORD)


@pytest.fixture
def technician(db) -> User:
    return make_user("tina", Role.TECHNICIAN, password=PASSWORD)


@pytest.fixture
def other_technician(db) -> User:
    return make_user("otto", Role.TECHNICIAN, password=PASSWORD)


@pytest.fixture
def client_for(db):
    """client_for(user) -> a Client logged in as that user (None: anonymous)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def admin_client_(client_for, administrator) -> Client:
    return client_for(administrator)


@pytest.fixture
def operator_client(client_for, operator) -> Client:
    return client_for(operator)


@pytest.fixture
def technician_client(client_for, technician) -> Client:
    return client_for(technician)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with the portal's mail going to it:
    the test reads the ``received`` envelopes (``rcpt_tos``, ``content``) as a mail client
    would get them. Works for browser tests too (the live server shares the settings)."""
    import socket

    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            received.append(envelope)
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()
