"""Behind the documented reverse proxy every request comes from the proxy's address.

These tests go through the real HTTP stack (the live server, requests over TCP): every request
arrives from 127.0.0.1, the "proxy", and only the X-Forwarded-For header the proxy writes tells
the clients apart, as with nginx configured as docs/operations.md shows. Before the portal read
that header, the four cases below went wrong: one guesser locked the account's owner out, five
recovery requests for made-up names closed recovery for everybody, and 130 guessed acceptance
links blocked every customer's valid link.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
import requests
from axes.models import AccessAttempt
from django.core import mail

from accounts.models import AuthEvent
from accounts.secrets import hash_answer
from orders.links import make_token
from tests.conftest import PASSWORD
from tests.factories import make_user
from tests.orders.factories import make_part, make_sent

pytestmark = pytest.mark.django_db(transaction=True)

ATTACKER = "198.51.100.7"
OWNER = "203.0.113.20"
CUSTOMER = "192.0.2.55"
NEW_PASSWORD = "Nuova-password-2026!"


class Browser:
    """One client behind the proxy: its requests carry the header the proxy writes."""

    def __init__(self, live_server, address: str) -> None:
        self.base = live_server.url
        self.session = requests.Session()
        self.session.headers.update({"X-Forwarded-For": address, "Accept-Language": "en"})

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, allow_redirects=False, timeout=60)

    def post(self, path: str, data: dict) -> requests.Response:
        if "csrftoken" not in self.session.cookies:
            self.get(path)
        token = self.session.cookies["csrftoken"]
        return self.session.post(
            self.base + path,
            data={**data, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=60,
        )

    def login(self, username: str, password: str) -> requests.Response:
        return self.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RECOVERY_MIN_RESPONSE_SECONDS = 0


def test_four_wrong_passwords_elsewhere_do_not_lock_the_owner_out(live_server, proxy, technician):
    attacker = Browser(live_server, ATTACKER)
    for _ in range(4):
        assert attacker.login(technician.username, "wrong").status_code == 200
    owner = Browser(live_server, OWNER)
    response = owner.login(technician.username, PASSWORD)
    assert response.status_code == 302, response.text[:500]
    assert owner.get("/customers/").status_code == 200
    # The guesser goes on and locks only itself out, the right password included.
    assert attacker.login(technician.username, "wrong").status_code == 429
    assert attacker.login(technician.username, PASSWORD).status_code == 429
    assert Browser(live_server, OWNER).login(technician.username, PASSWORD).status_code == 302
    # Every limit and the audit trail saw the clients' addresses, not the proxy's.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    failed = AuthEvent.objects.filter(kind=AuthEvent.Kind.LOGIN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {ATTACKER}
    logins = AuthEvent.objects.filter(kind=AuthEvent.Kind.LOGIN, user=technician)
    assert set(logins.values_list("ip_address", flat=True)) == {OWNER}


def _code_from_mail(to: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the mail leaves once the response has been sent
        sent = [m for m in mail.outbox if m.to == [to]]
        if sent:
            return re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", sent[-1].body).group(1)
        time.sleep(0.05)
    raise AssertionError(f"no recovery e-mail to {to}")


def test_five_recovery_requests_for_made_up_names_close_nothing_for_others(live_server, proxy):
    user = make_user("marta", "technician", password=PASSWORD)
    user.secret_question = "First pet?"
    user.secret_answer_hash = hash_answer("Fido")
    user.save()
    attacker = Browser(live_server, ATTACKER)
    for _ in range(5):
        name = f"ghost-{uuid.uuid4().hex[:8]}"
        assert attacker.post("/accounts/recover/", {"username": name}).status_code == 302
    # The sixth request from the same client waits...
    refused = attacker.post("/accounts/recover/", {"username": "marta"})
    assert refused.status_code == 200 and "Too many attempts" in refused.text
    # ...but marta, from her own address, recovers her password.
    owner = Browser(live_server, OWNER)
    assert owner.post("/accounts/recover/", {"username": "marta"}).status_code == 302
    code = _code_from_mail("marta@example.com")
    assert owner.post("/accounts/recover/code/", {"code": code}).status_code == 302
    assert owner.post("/accounts/recover/answer/", {"answer": "fido"}).status_code == 302
    done = owner.post(
        "/accounts/recover/password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/accounts/login/"
    assert owner.login("marta", NEW_PASSWORD).status_code == 302


def test_130_guessed_offer_links_block_only_the_guesser(live_server, proxy, operator, settings):
    # The default limit (60 requests per address) in a window no test run can straddle.
    settings.OFFER_LINK_RATE_WINDOW_SECONDS = 7 * 24 * 3600
    offer = make_sent(operator, parts=[make_part()])
    valid = f"/orders/o/{make_token(offer.pk)}/"
    attacker = Browser(live_server, ATTACKER)
    statuses = [attacker.get(f"/orders/o/{uuid.uuid4().hex}/").status_code for _ in range(130)]
    assert statuses.count(404) == 60 and statuses.count(429) == 70  # OFFER_LINK_RATE_PER_ADDRESS
    assert attacker.get(valid).status_code == 429
    customer = Browser(live_server, CUSTOMER)
    page = customer.get(valid)
    assert page.status_code == 200
    assert offer.code in page.text


def test_a_header_sent_by_the_client_itself_is_not_believed(live_server, settings, technician):
    """Through a proxy that appends ($proxy_add_x_forwarded_for), a forged value stays on the
    left; the address the proxy saw is the right-most one, and that is the one counted."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 2
    forger = Browser(live_server, f"{OWNER}, {ATTACKER}")
    forger.login(technician.username, "wrong")
    assert forger.login(technician.username, "wrong").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert Browser(live_server, OWNER).login(technician.username, PASSWORD).status_code == 302
