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
    # Counted against the account (not the typed text) and the address.
    row = Throttle.objects.get(scope="account", key=f"user:{onboarded.pk}")
    assert row.failures == 2
    # Knocking during the wait neither counts nor prolongs it...
    services.throttle.record_failure([("account", row.key)])
    row.refresh_from_db()
    assert row.failures == 2
    # ...the next failure after it doubles the wait.
    Throttle.objects.filter(pk=row.pk).update(blocked_until=row.last_failure_at)
    services.throttle.record_failure([("account", row.key)])
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


def test_recovery_requests_are_limited_per_address(client, settings, onboarded):
    settings.RECOVERY_FREE_REQUESTS = 2
    start(client, "marta")
    start(client, "marta")  # the second request starts a wait
    assert len(mail.outbox) == 2
    blocked = start(client, "marta")
    assert "Too many attempts" in blocked.content.decode()
    assert len(mail.outbox) == 2


def start_from(client, username, address):
    return client.post(
        reverse("accounts:recover_start"), {"username": username}, REMOTE_ADDR=address
    )


def test_look_alike_names_count_against_the_same_account(client, settings, onboarded):
    """``MARTA`` and a full-width ``ｍａｒｔａ`` are marta: no fresh counters for look-alikes,
    and the account's limit on e-mails holds whichever address asks."""
    settings.RECOVERY_FREE_REQUESTS = 2
    answers = [
        start_from(client, name, f"10.0.0.{n}")
        for n, name in enumerate(["marta", "MARTA", "\uff4d\uff41\uff52\uff54\uff41", " Marta "])
    ]
    assert {a.status_code for a in answers} == {302}  # nothing tells the account's limit
    assert [m.to for m in mail.outbox] == [["marta@example.com"]] * 2
    (row,) = Throttle.objects.filter(scope="request-account")
    assert row.key == f"user:{onboarded.pk}" and row.failures == 2
    # Unknown names are counted too, under a hash of the normalised name, never in clear.
    start_from(client, "Ghost", "10.0.1.1")
    start_from(client, "GHOST", "10.0.1.2")
    ghost = Throttle.objects.get(scope="request-account", key__startswith="name:")
    assert ghost.failures == 2 and "ghost" not in ghost.key.lower()


def test_nobody_can_close_a_colleagues_recovery(client, settings, onboarded):
    settings.RECOVERY_FREE_REQUESTS = 2
    settings.RECOVERY_FREE_FAILURES = 2
    for _ in range(3):
        start_from(client, "marta", "10.6.6.6")
    for _ in range(4):  # wrong codes: the guesser's own address waits
        client.post(reverse("accounts:recover_code"), {"code": "AAAA-BBBB"}, REMOTE_ADDR="10.6.6.6")
    assert "Too many attempts" in start_from(client, "marta", "10.6.6.6").content.decode()
    sent = len(mail.outbox)
    assert sent == 2  # the account's limit: no more e-mails for now
    # Marta asks from her own address: the same answer as always, no new e-mail, and the code
    # of the last e-mail she received works.
    marta = type(client)(HTTP_ACCEPT_LANGUAGE="en")
    assert start_from(marta, "marta", "10.1.1.1")["Location"] == reverse("accounts:recover_code")
    assert len(mail.outbox) == sent
    code = code_from_mail(mail.outbox[-1])
    response = marta.post(reverse("accounts:recover_code"), {"code": code}, REMOTE_ADDR="10.1.1.1")
    assert response["Location"] == reverse("accounts:recover_answer")
    marta.post(reverse("accounts:recover_answer"), {"answer": "Fido"}, REMOTE_ADDR="10.1.1.1")
    done = marta.post(
        reverse("accounts:recover_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )
    assert done["Location"] == reverse("accounts:login")
    onboarded.refresh_from_db()
    assert onboarded.check_password(NEW_PASSWORD)
    # Her recovery ended the account's waits.
    assert not Throttle.objects.filter(key=f"user:{onboarded.pk}").exists()


def test_an_administrator_ends_the_recovery_waits_of_an_account(
    client, settings, onboarded, admin_client_
):
    settings.RECOVERY_FREE_FAILURES = 1
    start(client, "marta")
    client.post(reverse("accounts:recover_code"), {"code": code_from_mail(mail.outbox[-1])})
    client.post(reverse("accounts:recover_answer"), {"answer": "rex"})
    other = type(client)(HTTP_ACCEPT_LANGUAGE="en")  # even from elsewhere the answer waits
    start_from(other, "marta", "10.2.2.2")
    other.post(
        reverse("accounts:recover_code"),
        {"code": code_from_mail(mail.outbox[-1])},
        REMOTE_ADDR="10.2.2.2",
    )
    waiting = other.post(
        reverse("accounts:recover_answer"), {"answer": "fido"}, REMOTE_ADDR="10.2.2.2"
    )
    assert "Too many attempts" in waiting.content.decode()
    admin_client_.post(reverse("accounts:user_unlock", args=[onboarded.pk]))
    unlocked = other.post(
        reverse("accounts:recover_answer"), {"answer": "fido"}, REMOTE_ADDR="10.2.2.2"
    )
    assert unlocked["Location"] == reverse("accounts:recover_password")


def test_an_account_without_secret_answer_gets_no_code(client, technician):
    response = start(client, "tina")
    assert response["Location"] == reverse("accounts:recover_code")  # the same answer as always
    assert len(mail.outbox) == 0
