"""django-axes: lockout per username + address, lifted after the cool-off; the audit trail."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import AuthEvent
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


def test_session_expires_when_idle(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
