"""A signed-in page reads the user from the database on every request (a query compiled once per
connection, not a cached copy) and its top bar from fragments kept per role and language: every
change to the account counts on the very next request, whichever way it was made, and each
user still sees their own name and their own request's CSRF token."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PAGE = "customers:customer_list"  # a page for the office (operators and administrators)
ADMIN_ONLY = "accounts:user_list"


def _signed_in(client: Client) -> bool:
    response = client.get(reverse(PAGE))
    if response.status_code == 302:
        assert response.url.startswith(reverse("accounts:login"))
        return False
    assert response.status_code == 200
    return True


def _deactivate_by_service(user: User, administrator: User) -> None:
    services.set_active(user=user, active=False, acting_user=administrator)


def _deactivate_by_update(user: User, administrator: User) -> None:
    # A bulk update (the Django admin's actions, a shell): no signal, no session_generation.
    User.objects.filter(pk=user.pk).update(is_active=False)


def _deactivate_by_sql(user: User, administrator: User) -> None:
    # Straight in the database, as an operator with psql would.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET is_active = %s WHERE id = %s", [False, user.pk])


@pytest.mark.parametrize(
    "deactivate", [_deactivate_by_service, _deactivate_by_update, _deactivate_by_sql]
)
def test_a_deactivated_user_is_signed_out_on_the_next_request_however_it_was_done(
    client_for, administrator, operator, deactivate
):
    client = client_for(operator)
    assert _signed_in(client)
    deactivate(operator, administrator)
    assert not _signed_in(client)


def test_a_deleted_user_is_signed_out_on_the_next_request(client_for, operator):
    client = client_for(operator)
    assert _signed_in(client)
    User.objects.filter(pk=operator.pk).delete()
    assert not _signed_in(client)


def test_a_role_taken_away_counts_on_the_next_request_and_the_top_bar_follows(
    client_for, administrator
):
    client = client_for(administrator)
    assert client.get(reverse(ADMIN_ONLY)).status_code == 200
    User.objects.filter(pk=administrator.pk).update(role="operator")
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    assert '<span class="badge text-bg-light">Operator</span>' in response.content.decode()
    assert client.get(reverse(ADMIN_ONLY)).status_code == 403


def test_losing_the_staff_flag_closes_the_django_admin_on_the_next_request(client_for, operator):
    client = client_for(operator)
    assert operator.is_staff
    assert client.get(reverse("admin:index")).status_code == 200
    assert reverse("admin:index") in client.get(reverse(PAGE)).content.decode()
    User.objects.filter(pk=operator.pk).update(is_staff=False)
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin's login
    assert 'href="/admin/"' not in client.get(reverse(PAGE)).content.decode()


def test_a_password_set_elsewhere_ends_the_other_sessions(client_for, operator):
    client = client_for(operator)
    assert _signed_in(client)
    # A bulk update of the hash (no save(), no signal): the session's hash no longer matches.
    User.objects.filter(pk=operator.pk).update(password="pbkdf2_sha256$1$salt$other")
    assert not _signed_in(client)


def test_log_out_everywhere_ends_every_session_of_the_user(client_for, operator):
    phone, desk = client_for(operator), client_for(operator)
    assert _signed_in(phone) and _signed_in(desk)
    page = desk.get(reverse(PAGE)).content.decode()
    token = re.search(r'csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = desk.post(reverse("accounts:logout_everywhere"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not _signed_in(phone)
    assert not _signed_in(desk)


def test_a_forged_session_for_an_unknown_or_odd_user_id_is_anonymous(client_for, operator):
    client = client_for(operator)
    for forged in (str(10**9), "-1"):
        session = client.session
        session["_auth_user_id"] = forged
        session.save()
        assert not _signed_in(client)


def test_another_users_id_in_the_session_does_not_sign_in_as_them(client_for, operator):
    """Swapping the id in a session (without that user's hash) gives nobody's page."""
    victim = make_user("victim", "administrator")
    client = client_for(operator)
    session = client.session
    session["_auth_user_id"] = str(victim.pk)
    session.save()
    assert not _signed_in(client)
    assert client.get(reverse(ADMIN_ONLY)).status_code == 302


def test_the_user_is_read_with_one_query_as_the_orm_would_read_it(client_for, operator):
    client = client_for(operator)
    client.get(reverse(PAGE))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(PAGE)).status_code == 200
    user_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(user_reads) == 1
    fast = User.objects.get(pk=operator.pk)
    orm = User.objects.filter(pk=operator.pk).get()
    for field in User._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(fast, field.attname)) is type(getattr(orm, field.attname)), field.name
    assert fast._state.db == orm._state.db and not fast._state.adding
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=10**9)


def test_each_user_of_a_role_sees_their_own_name_escaped_in_the_kept_top_bar(client_for):
    first = make_user("first", "operator", first_name="Anna", last_name="Rossi")
    second = make_user("second", "operator", first_name="<b>Bob</b>", last_name="&")
    first_page = client_for(first).get(reverse(PAGE)).content.decode()
    second_page = client_for(second).get(reverse(PAGE)).content.decode()
    assert "Anna Rossi" in first_page and "Bob" not in first_page
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp;" in second_page
    assert "<b>Bob</b>" not in second_page and "Anna" not in second_page


def test_the_kept_top_bar_carries_the_requests_own_csrf_token_and_logging_out_works(
    client_for, operator
):
    client = client_for(operator)
    page = client.get(reverse(PAGE)).content.decode()
    other = client_for(operator).get(reverse(PAGE)).content.decode()
    tokens = set(re.findall(r'csrfmiddlewaretoken" value="([^"]+)"', page))
    assert len(tokens) == 1  # the top bar's forms and the language switcher: the same token
    assert tokens.isdisjoint(re.findall(r'csrfmiddlewaretoken" value="([^"]+)"', other))
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens.pop()})
    assert response.status_code == 302
    assert not _signed_in(client)


def test_the_kept_top_bar_follows_the_users_language(client_for, operator):
    client = client_for(operator)
    assert "Log out everywhere" in client.get(reverse(PAGE)).content.decode()
    User.objects.filter(pk=operator.pk).update(language="it")
    page = client.get(reverse(PAGE)).content.decode()
    assert "Esci da tutti i dispositivi" in page and "Log out everywhere" not in page


def test_the_kept_offline_block_and_configuration_are_each_users_own_and_dated_now(
    client_for, operator
):
    import datetime
    import json

    from django.utils import timezone

    second = make_user("second", "operator")
    pages = [client_for(user).get(reverse(PAGE)).content.decode() for user in (operator, second)]
    configs = [
        json.loads(re.search(r'id="offline-config"[^>]*>(.*?)</script>', page).group(1))
        for page in pages
    ]
    assert [config["user"] for config in configs] == [operator.pk, second.pk]
    assert configs[0]["swUrl"] == configs[1]["swUrl"] == reverse("service_worker")
    saved = re.search(r"saved copy from (\d\d:\d\d)", pages[1]).group(1)
    now = timezone.localtime()
    assert saved in {
        (now - datetime.timedelta(minutes=minutes)).strftime("%H:%M") for minutes in (0, 1)
    }
