"""Administrators create users with a code; the first login leads to onboarding only."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services
from accounts.models import AuthEvent, Role, User
from accounts.secrets import format_code
from tests.conftest import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Trattore-blu-2026!"


def onboarding_data(**overrides):
    data = {
        "first_name": "Luca",
        "last_name": "Bianchi",
        "email": "luca@example.com",
        "phone": "+39 333 1234567",
        "language": "it",
        "username": "luca.bianchi",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "question_choice": "",
        "own_question": "Where did I buy my first bicycle?",
        "secret_answer": "Bottega Rossi",
    }
    data.update(overrides)
    return data


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_users_created_outside_the_portal_flow_are_onboarded(administrator, technician):
    assert not administrator.must_onboard and not technician.must_onboard
    superuser = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    assert not superuser.must_onboard


def test_administrator_creates_a_technician_and_sees_the_code_once(admin_client_):
    response = admin_client_.post(
        reverse("accounts:user_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "first_name": "Luca",
            "last_name": "Bianchi",
            "role": "technician",
            "language": "it",
        },
    )
    user = User.objects.get(last_name="Bianchi")
    assert response["Location"] == reverse("accounts:user_code", args=[user.pk])
    assert user.must_onboard and user.role == Role.TECHNICIAN
    assert not user.has_usable_password()
    page = admin_client_.get(response["Location"])
    code = page.context["code"]
    assert code and len(code) == 14  # ABCD-EFGH-JKMN
    assert code.replace("-", "") not in user.first_login_code_hash
    assert "cannot be displayed again" in page.content.decode()
    again = admin_client_.get(response["Location"])
    assert again.context["code"] is None
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.CODE_ISSUED, user=user).exists()


def test_only_technicians_and_operators_can_be_created(administrator):
    with pytest.raises(services.AccountError):
        services.create_user(
            acting_user=administrator,
            first_name="A",
            last_name="B",
            role=Role.ADMINISTRATOR,
            language="it",
        )


def test_the_code_logs_in_to_onboarding_only(client, new_technician):
    user, code = new_technician
    response = login(client, format_code(code).lower(), code)
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("accounts:onboarding")
    assert client.get(reverse("accounts:onboarding")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/customers/",
        "/customers/units/",
        "/accounts/users/",
        "/accounts/password/",
        "/accounts/secret-question/",
        "/accounts/audit/",
        "/admin/",
        "/accounts/welcome/../users/",
    ],
)
def test_onboarding_cannot_be_skipped_by_typing_urls(client, new_technician, url):
    user, code = new_technician
    login(client, code, code)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:onboarding")


def test_onboarding_sets_credentials_and_the_code_stops_working(client, new_technician):
    user, code = new_technician
    login(client, code, code)
    response = client.post(reverse("accounts:onboarding"), onboarding_data())
    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert user.username == "luca.bianchi"
    assert not user.must_onboard
    assert user.first_login_code_hash == ""
    assert user.check_password(NEW_PASSWORD)
    assert user.secret_question == "Where did I buy my first bicycle?"
    assert "Bottega" not in user.secret_answer_hash
    # Still logged in, now with the whole portal.
    assert client.get(reverse("customers:customer_list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert login(client, code, code).status_code == 200  # the code no longer works
    assert login(client, "luca.bianchi", NEW_PASSWORD).status_code == 302


def test_a_question_from_the_list_is_copied_in_the_users_language(client, new_technician):
    from accounts.models import SecretQuestion

    user, code = new_technician
    # Our own row: the migration's list may have been flushed by a browser test on this worker.
    question = SecretQuestion.objects.create(
        text_it="In che città sei nato?", text_en="In which city were you born?", position=99
    )
    login(client, code, code)
    response = client.post(
        reverse("accounts:onboarding"),
        onboarding_data(question_choice=question.pk, own_question="", language="en"),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.secret_question_choice == question
    # Shown in the reader's language.
    with translation.override("it"):
        assert user.secret_question_text == question.text_it
    with translation.override("en"):
        assert user.secret_question_text == question.text_en


def test_the_username_must_be_unique_and_not_a_code(client, new_technician):
    make_user("Taken.Name")
    user, code = new_technician
    login(client, code, code)
    url = reverse("accounts:onboarding")
    taken = client.post(url, onboarding_data(username="taken.name"))
    assert "already taken" in str(taken.context["form"].errors["username"])
    as_code = client.post(url, onboarding_data(username=format_code(code)))
    assert "not a code" in str(as_code.context["form"].errors["username"])
    user.refresh_from_db()
    assert user.must_onboard


def test_django_password_validators_apply(client, new_technician):
    user, code = new_technician
    login(client, code, code)
    url = reverse("accounts:onboarding")
    response = client.post(url, onboarding_data(password1="password", password2="password"))
    errors = str(response.context["form"].errors["password1"])
    assert "too short" in errors and "too common" in errors
    response = client.post(
        url, onboarding_data(password1="luca.bianchi1", password2="luca.bianchi1")
    )
    assert "too similar" in str(response.context["form"].errors["password1"])


def test_onboarding_requires_a_question_and_an_answer(client, new_technician):
    user, code = new_technician
    login(client, code, code)
    response = client.post(
        reverse("accounts:onboarding"), onboarding_data(own_question="", secret_answer="")
    )
    errors = response.context["form"].errors
    assert "question_choice" in errors and "secret_answer" in errors


def test_an_expired_code_does_not_log_in(client, new_technician):
    user, code = new_technician
    User.objects.filter(pk=user.pk).update(
        first_login_code_expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = login(client, code, code)
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_code_validity_follows_the_setting(settings, administrator):
    settings.FIRST_LOGIN_CODE_DAYS = 3
    user, _ = services.create_user(
        acting_user=administrator, first_name="A", last_name="B", role="operator", language="en"
    )
    left = user.first_login_code_expires - timezone.now()
    assert datetime.timedelta(days=2, hours=23) < left <= datetime.timedelta(days=3)


def test_a_new_code_replaces_the_old_one(client, admin_client_, new_technician):
    user, old_code = new_technician
    response = admin_client_.post(reverse("accounts:user_issue_code", args=[user.pk]))
    new_code = admin_client_.get(response["Location"]).context["code"]
    assert login(client, old_code, old_code).status_code == 200
    assert login(client, new_code, new_code).status_code == 302


def test_a_new_code_puts_an_onboarded_user_back_in_onboarding(client_for, administrator, onboarded):
    session = client_for(onboarded)
    code = services.issue_first_login_code(user=onboarded, acting_user=administrator)
    onboarded.refresh_from_db()
    assert onboarded.must_onboard and not onboarded.has_usable_password()
    assert code
    # The user's open sessions end.
    assert session.get(reverse("customers:customer_list")).status_code == 302


def test_the_code_and_password_must_be_the_same(client, new_technician):
    user, code = new_technician
    assert login(client, code, "something-else").status_code == 200


def test_a_reissued_code_ends_the_session_opened_with_the_old_one(
    client, administrator, new_technician
):
    user, old_code = new_technician
    login(client, old_code, old_code)
    services.issue_first_login_code(user=user, acting_user=administrator)
    response = client.get(reverse("accounts:onboarding"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_onboarding_session_ends_when_the_code_expires(client, new_technician):
    user, code = new_technician
    login(client, code, code)
    User.objects.filter(pk=user.pk).update(
        first_login_code_expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.post(reverse("accounts:onboarding"), onboarding_data())
    assert response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.must_onboard


def test_users_without_secret_question_are_reminded_at_login(client, technician):
    response = client.post(
        reverse("accounts:login"), {"username": "tina", "password": PASSWORD}, follow=True
    )
    assert "You have no secret question yet" in response.content.decode()
