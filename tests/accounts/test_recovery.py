"""Password recovery: e-mailed code, secret answer, new password; no enumeration; throttling."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import AuthEvent, PasswordRecovery, Throttle
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nuova-password-2026!"


def code_from_mail(message) -> str:
    return re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", message.body).group(1)


def start(client, username):
    return client.post(reverse("accounts:recover_start"), {"username": username})


def recover(client, username, *, answer="fido", code=None):
    start(client, username)
    code = code or code_from_mail(mail.outbox[-1])
    client.post(reverse("accounts:recover_code"), {"code": code})
    client.post(reverse("accounts:recover_answer"), {"answer": answer})
    return client.post(
        reverse("accounts:recover_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_the_whole_recovery_changes_the_password_and_notifies(client, onboarded):
    response = recover(client, "marta", answer="  FIDO ")
    assert response["Location"] == reverse("accounts:login")
    onboarded.refresh_from_db()
    assert onboarded.check_password(NEW_PASSWORD)
    subjects = [m.subject for m in mail.outbox]
    assert len(mail.outbox) == 2
    assert "recovery code" in subjects[0]
    assert "password has been changed" in subjects[1]
    assert mail.outbox[1].to == ["marta@example.com"]
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.RECOVERY_COMPLETED, user=onboarded)


def test_recovery_ends_the_other_sessions(client, client_for, onboarded):
    other_device = client_for(onboarded)
    assert other_device.get(reverse("customers:customer_list")).status_code == 200
    recover(client, "marta")
    assert other_device.get(reverse("customers:customer_list")).status_code == 302


def test_the_mail_follows_the_users_language(client, onboarded):
    onboarded.language = "it"
    onboarded.save()
    start(client, "marta")
    assert "codice" in mail.outbox[0].subject.lower()


def test_no_user_enumeration(client, onboarded):
    existing = start(client, "marta")
    wrong_existing = client.post(reverse("accounts:recover_code"), {"code": "AAAA-BBBB"})
    missing = start(client, "nobody-here")
    wrong_missing = client.post(reverse("accounts:recover_code"), {"code": "AAAA-BBBB"})
    assert existing.status_code == missing.status_code == 302
    assert existing["Location"] == missing["Location"]
    assert len(mail.outbox) == 1  # only the real account gets a mail
    assert wrong_existing.status_code == wrong_missing.status_code == 200
    assert _strip_tokens(wrong_existing.content.decode()) == _strip_tokens(
        wrong_missing.content.decode()
    )
    assert "wrong or has expired" in wrong_missing.content.decode()


def _strip_tokens(html: str) -> str:
    return re.sub(r'value="[^"]{40,}"', "", re.sub(r'"X-CSRFToken": "[^"]+"', "", html))


def test_the_pages_are_identical_whether_or_not_the_user_exists(client, onboarded):
    start(client, "marta")
    existing = _strip_tokens(client.get(reverse("accounts:recover_code")).content.decode())
    start(client, "ghost")
    missing = _strip_tokens(client.get(reverse("accounts:recover_code")).content.decode())
    assert existing == missing


def test_responses_are_padded_to_the_same_minimum_time(client, settings, onboarded):
    settings.RECOVERY_MIN_RESPONSE_SECONDS = 0.2
    for username in ("marta", "ghost"):
        started = time.monotonic()
        start(client, username)
        assert time.monotonic() - started >= 0.2


def test_the_code_works_once(client, onboarded):
    recover(client, "marta")
    code = code_from_mail(mail.outbox[0])
    start(client, "marta")
    # The old code belongs to a finished recovery: refused.
    response = client.post(reverse("accounts:recover_code"), {"code": code})
    assert "wrong or has expired" in response.content.decode()


def test_the_answer_step_needs_the_code_first(client, onboarded):
    start(client, "marta")
    assert client.get(reverse("accounts:recover_answer"))["Location"] == reverse(
        "accounts:recover_start"
    )
    assert client.get(reverse("accounts:recover_password"))["Location"] == reverse(
        "accounts:recover_start"
    )


def test_wrong_answers_lead_to_growing_waits(client, settings, onboarded):
    settings.RECOVERY_FREE_FAILURES = 2
    settings.RECOVERY_BASE_WAIT_SECONDS = 30
    start(client, "marta")
    client.post(reverse("accounts:recover_code"), {"code": code_from_mail(mail.outbox[-1])})
    url = reverse("accounts:recover_answer")
    first = client.post(url, {"answer": "rex"})
    assert "not correct" in first.content.decode()
    client.post(url, {"answer": "rex"})  # second failure: a 30 s wait starts
    blocked = client.post(url, {"answer": "fido"})  # even the right answer must wait
    assert "Too many attempts" in blocked.content.decode()
    row = Throttle.objects.get(scope="account", key="marta")
    assert row.failures == 2
    services.throttle.record_failure([("account", "marta")])
    row.refresh_from_db()
    assert (row.blocked_until - row.last_failure_at).total_seconds() == 60  # doubled


def test_failures_count_per_address_across_accounts(client, settings, onboarded):
    settings.RECOVERY_FREE_FAILURES = 3
    for name in ("ghost1", "ghost2", "ghost3"):
        start(client, name)
        client.post(reverse("accounts:recover_code"), {"code": "AAAA-BBBB"})
    response = start(client, "marta")  # another account, same address: wait
    assert "Too many attempts" in response.content.decode()
    assert len(mail.outbox) == 0
    assert Throttle.objects.get(scope="address", key="127.0.0.1").failures == 3


def test_waits_end_after_the_cool_off(client, settings, onboarded):
    from datetime import timedelta

    from django.utils import timezone

    settings.RECOVERY_FREE_FAILURES = 1
    start(client, "ghost")
    client.post(reverse("accounts:recover_code"), {"code": "AAAA-BBBB"})
    assert "Too many attempts" in start(client, "ghost").content.decode()
    Throttle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    assert start(client, "ghost").status_code == 302


def test_a_user_without_email_gets_the_code_from_an_administrator(client, administrator):
    from accounts.secrets import hash_answer

    user = make_user("noemail", "technician", password="Old-password-2026!", email="")
    user.secret_answer_hash = hash_answer("Fido")
    user.save()
    code = services.issue_recovery_code(user=user, acting_user=administrator)
    recover(client, "noemail", code=code)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert len(mail.outbox) == 0
    assert PasswordRecovery.objects.get(user=user).issued_by == administrator


def test_changing_the_password_requires_the_current_one(client_for, technician):
    client = client_for(technician)
    url = reverse("accounts:password_change")
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    wrong = client.post(url, {"old_password": "wrong", **data})
    assert "old_password" in wrong.context["form"].errors
    from tests.conftest import PASSWORD

    right = client.post(url, {"old_password": PASSWORD, **data})
    assert right.status_code == 302
    technician.refresh_from_db()
    assert technician.check_password(NEW_PASSWORD)
    assert client.get(reverse("customers:customer_list")).status_code == 200  # still logged in
    assert "password has been changed" in mail.outbox[0].subject


def test_changing_the_secret_question_requires_the_current_password(client_for, onboarded):
    client = client_for(onboarded)
    url = reverse("accounts:secret_change")
    data = {"own_question": "Favourite tool?", "secret_answer": "Chiave inglese"}
    wrong = client.post(url, {"current_password": "wrong", **data})
    assert "current_password" in wrong.context["form"].errors
    right = client.post(url, {"current_password": "Marta-secret-2026!", **data})
    assert right.status_code == 302
    onboarded.refresh_from_db()
    assert onboarded.secret_question == "Favourite tool?"
    from accounts.secrets import answer_matches

    assert answer_matches("chiave  INGLESE", onboarded.secret_answer_hash)


def test_recovery_requests_are_limited_per_account(client, settings, onboarded):
    settings.RECOVERY_FREE_REQUESTS = 2
    start(client, "marta")
    start(client, "marta")  # the second request starts a wait
    assert len(mail.outbox) == 2
    blocked = start(client, "marta")
    assert "Too many attempts" in blocked.content.decode()
    assert len(mail.outbox) == 2


def test_an_account_without_secret_answer_gets_no_code(client, technician):
    response = start(client, "tina")
    assert response["Location"] == reverse("accounts:recover_code")  # the same answer as always
    assert len(mail.outbox) == 0
