"""django-axes: lockout per username + address, lifted after the cool-off; the audit trail."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuthEvent, Throttle
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_repeated_failures_lock_out_username_and_address(client, settings, technician):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert login(client, "tina", "wrong").status_code == 200
    locked = login(client, "tina", "wrong")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # Even the right password is refused during the lockout...
    assert login(client, "tina", PASSWORD).status_code == 429
    # ...but only for this username from this address.
    assert (
        login(Client(HTTP_ACCEPT_LANGUAGE="en"), "tina", PASSWORD, address="10.0.0.2").status_code
        == 302
    )
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.LOCKOUT, user=technician).exists()
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.LOGIN_FAILED, user=technician).count() >= 3


def test_the_lockout_ends_after_the_cool_off(client, settings, technician):
    settings.AXES_FAILURE_LIMIT = 2
    login(client, "tina", "wrong")
    assert login(client, "tina", "wrong").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time
        - settings.AXES_COOLOFF_TIME
        - datetime.timedelta(seconds=1)
    )
    assert login(client, "tina", PASSWORD).status_code == 302


def test_the_lockout_is_not_permanent(settings):
    assert settings.AXES_COOLOFF_TIME is not None
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0].startswith("axes.")


def test_successful_logins_are_recorded(client, technician):
    login(client, "tina", PASSWORD)
    event = AuthEvent.objects.get(kind=AuthEvent.Kind.LOGIN, user=technician)
    assert event.ip_address == "10.0.0.1"


def test_a_failed_code_login_does_not_store_the_code(client, db):
    login(client, "ABCD-EFGH-JKMN", "ABCD-EFGH-JKMN")
    event = AuthEvent.objects.get(kind=AuthEvent.Kind.LOGIN_FAILED)
    assert "EFGH" not in event.username


def test_logout_everywhere_ends_every_session(client_for, technician):
    phone, laptop = client_for(technician), client_for(technician)
    response = laptop.post(reverse("accounts:logout_everywhere"))
    assert response["Location"] == reverse("accounts:login")
    for device in (phone, laptop):
        assert device.get(reverse("customers:customer_list")).status_code == 302
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.LOGOUT_EVERYWHERE).exists()


def _session(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def _age_session(client, seconds: int) -> None:
    """As if the last refresh of the client's session happened `seconds` ago."""
    row = _session(client)
    store = client.session  # the stored data, decoded
    data = store.decode(row.session_data)
    data["_refreshed_at"] -= seconds
    Session.objects.filter(pk=row.pk).update(
        session_data=store.encode(data),
        expire_date=row.expire_date - datetime.timedelta(seconds=seconds),
    )


def test_sessions_end_when_idle_not_on_every_request(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert not settings.SESSION_SAVE_EVERY_REQUEST  # refreshed by IdleSessionMiddleware instead
    assert settings.SESSION_REFRESH_SECONDS == 60


def test_pages_within_the_minute_after_login_do_not_write_the_session(client, technician):
    assert login(client, "tina", PASSWORD).status_code == 302
    expiry = _session(client).expire_date
    for _ in range(2):  # the first page after the login costs the same as the next ones
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("customers:customer_list")).status_code == 200
        writes = [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]
        assert len(writes) == 1 and writes[0].startswith("SELECT"), writes
        assert _session(client).expire_date == expiry


def test_an_active_session_is_extended_once_its_minute_is_over(settings, client_for, technician):
    client = client_for(technician)
    _age_session(client, 61)
    aged = _session(client).expire_date
    assert client.get(reverse("customers:customer_list")).status_code == 200
    extended = _session(client).expire_date
    assert extended > aged + datetime.timedelta(seconds=60)
    assert client.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE  # cookie too
    assert client.get(reverse("customers:customer_list")).status_code == 200
    assert _session(client).expire_date == extended  # once, not on every page


def test_an_idle_session_older_than_the_cookie_age_is_logged_out(settings, client_for, technician):
    client = client_for(technician)
    _age_session(client, settings.SESSION_COOKIE_AGE + 1)
    assert _session(client).expire_date < timezone.now()
    response = client.get(reverse("customers:customer_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_session_used_just_before_the_idle_limit_stays_signed_in(
    settings, client_for, technician
):
    client = client_for(technician)
    _age_session(client, settings.SESSION_COOKIE_AGE - 30)
    assert client.get(reverse("customers:customer_list")).status_code == 200
    assert _session(client).expire_date > timezone.now() + datetime.timedelta(
        seconds=settings.SESSION_COOKIE_AGE - 60
    )


def test_knocking_during_the_lockout_does_not_prolong_it(client, settings, technician):
    """The cool-off counts from the lockout: one request every few minutes cannot keep an
    account locked for good (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False)."""
    assert settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
    settings.AXES_FAILURE_LIMIT = 2
    login(client, "tina", "wrong")
    assert login(client, "tina", "wrong").status_code == 429
    cool_off = settings.AXES_COOLOFF_TIME

    def age(delta):
        for attempt in AccessAttempt.objects.all():
            AccessAttempt.objects.filter(pk=attempt.pk).update(
                attempt_time=attempt.attempt_time - delta
            )

    age(cool_off - datetime.timedelta(minutes=1))  # one minute of the lockout left
    assert login(client, "tina", "wrong").status_code == 429  # a knock during the lockout
    age(datetime.timedelta(minutes=1, seconds=1))  # the lockout's end, not the knock's
    assert login(client, "tina", PASSWORD).status_code == 302


def test_guessing_across_many_usernames_from_one_address_is_limited(client, settings, technician):
    settings.LOGIN_FREE_FAILURES_PER_ADDRESS = 6
    for n in range(6):  # one wrong password for each of six names: no name is locked
        assert login(client, f"someone{n}", "wrong").status_code == 200
    blocked = login(client, "tina", PASSWORD)  # the next attempt from there waits
    assert blocked.status_code == 429
    assert "from this address" in blocked.content.decode()
    assert int(blocked["Retry-After"]) > 0
    # Another address is not affected, and the waiting address is not asked for passwords.
    assert login(Client(HTTP_ACCEPT_LANGUAGE="en"), "tina", PASSWORD, "10.0.0.2").status_code == 302
    # Knocking during the wait does not prolong it.
    row = Throttle.objects.get(scope="login-address", key="10.0.0.1")
    assert row.failures == 6
    login(client, "other", "wrong")
    row.refresh_from_db()
    assert row.failures == 6


def test_axes_keeps_no_code_or_password_typed_as_a_username(client, technician):
    login(client, "ABCD-EFGH-JKMN", "ABCD-EFGH-JKMN")  # a code at first login
    login(client, "Sup3r-Secret!", "")  # a password typed in the wrong field
    login(client, "Sup3r-Secret!", "x")
    login(client, "tina", "wrong")
    stored = set(AccessAttempt.objects.values_list("username", flat=True))
    assert "tina" in stored  # an account's name stays readable for the administrator
    others = stored - {"tina"}
    assert len(others) == 2 and all(re.fullmatch(r"#[0-9a-f]{24}", name) for name in others)
    everything = " ".join(
        f"{a.username} {a.get_data} {a.post_data}" for a in AccessAttempt.objects.all()
    )
    assert "EFGH" not in everything and "Secret" not in everything


def test_the_same_unknown_name_is_still_locked_per_address(client, settings, db):
    settings.AXES_FAILURE_LIMIT = 2
    login(client, "ABCD-EFGH-JKMN", "wrong")
    assert login(client, "ABCD-EFGH-JKMN", "wrong").status_code == 429


def test_an_administrator_unlocks_a_locked_account(client, settings, technician, admin_client_):
    settings.AXES_FAILURE_LIMIT = 2
    login(client, "tina", "wrong")
    assert login(client, "tina", "wrong").status_code == 429
    response = admin_client_.post(reverse("accounts:user_unlock", args=[technician.pk]))
    assert response.status_code == 302
    assert login(client, "tina", PASSWORD).status_code == 302
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.UNLOCKED, user=technician).exists()
