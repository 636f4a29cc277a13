"""No answer to a recovery request waits for the mail server (username enumeration by timing).

A deliberately slow SMTP server (aiosmtpd, 1.5 s per message) receives the recovery e-mails.
Requests go through the real HTTP stack (live server) and are timed by the client. With the
e-mail sent inside the request, an existing user's request took 1.5 s longer than an unknown
one; now both take the same time class, with the immediate task backend (development, and any
installation that keeps it) as with the database queue of the documented deploy.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import time

import pytest
import requests
from django.core.management import call_command

from accounts import services
from accounts.secrets import hash_answer
from service_portal import tasks
from tests.conftest import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

SMTP_DELAY = 1.5


class SlowHandler:
    def __init__(self) -> None:
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        await asyncio.sleep(SMTP_DELAY)
        self.received.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def slow_smtp(settings, monkeypatch):
    from aiosmtpd.controller import Controller

    # tests/accounts/conftest.py runs tasks inside the request; here the real hand-off counts.
    monkeypatch.setattr(services, "enqueue_after_response", tasks.enqueue_after_response)
    settings.RECOVERY_MIN_RESPONSE_SECONDS = 0.4  # the default padding
    settings.RECOVERY_FREE_REQUESTS = 100  # this test asks many times from one address
    handler = SlowHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


@pytest.fixture
def marta(db):
    user = make_user("marta", "technician", password=PASSWORD)
    user.secret_question = "First pet?"
    user.secret_answer_hash = hash_answer("Fido")
    user.save()
    return user


def _timed_request(live_server, username: str) -> float:
    session = requests.Session()  # a new connection for each client
    session.get(live_server.url + "/accounts/recover/", timeout=30)
    token = session.cookies["csrftoken"]
    started = time.monotonic()
    response = session.post(
        live_server.url + "/accounts/recover/",
        data={"username": username, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/recover/code/"
    return elapsed


def _wait_for(handler: SlowHandler, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(handler.received) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(handler.received) == count


def _assert_same_time_class(existing: list[float], unknown: list[float]) -> None:
    # Both at least the padding, both far below one slow SMTP exchange, and close together.
    assert min(existing + unknown) >= 0.4
    assert max(existing + unknown) < 0.4 + SMTP_DELAY * 0.6, (existing, unknown)
    assert abs(statistics.median(existing) - statistics.median(unknown)) < 0.3, (
        existing,
        unknown,
    )


def test_with_the_immediate_backend_the_mail_leaves_after_the_response(
    live_server, slow_smtp, marta
):
    existing, unknown = [], []
    for n in range(1, 4):
        existing.append(_timed_request(live_server, "marta"))
        # The slow server does receive marta's code, after her answer. (Waiting for it keeps the
        # live server's threads from sharing the in-memory SQLite connection at the same time.)
        _wait_for(slow_smtp, n)
        unknown.append(_timed_request(live_server, "nobody-here"))
    _assert_same_time_class(existing, unknown)
    assert {tuple(e.rcpt_tos) for e in slow_smtp.received} == {("marta@example.com",)}


def test_with_the_database_queue_the_worker_sends_the_mail(live_server, slow_smtp, marta, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    existing, unknown = [], []
    for _ in range(2):
        existing.append(_timed_request(live_server, "marta"))
        unknown.append(_timed_request(live_server, "nobody-here"))
    _assert_same_time_class(existing, unknown)
    assert slow_smtp.received == []  # nothing was sent by the web requests
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    _wait_for(slow_smtp, 2)
