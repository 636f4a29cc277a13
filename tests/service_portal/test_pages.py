"""Shared pages: health, errors, navigation per role, language switching."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_answers_when_the_database_does(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_404_page_is_translated(client):
    client.cookies["django_language"] = "it"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.content.decode()
    client.cookies["django_language"] = "en"
    assert "Page not found" in client.get("/no-such-page/").content.decode()


def test_403_page_for_the_wrong_role(technician_client):
    response = technician_client.get(reverse("customers:customer_create"))
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(reverse("customers:customer_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_with_wrong_password_shows_a_clear_error(client, operator):
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("accounts:login"), {"username": operator.username, "password": "x"}
    )
    assert response.status_code == 200
    assert "Wrong username or password" in response.content.decode()


def test_the_menu_shows_each_role_only_what_it_may_use(technician_client, operator_client):
    tech_page = technician_client.get(reverse("customers:unit_list")).content.decode()
    assert reverse("customers:customer_list") in tech_page
    assert (
        "New customer"
        not in technician_client.get(reverse("customers:customer_list")).content.decode()
    )
    assert (
        "New customer" in operator_client.get(reverse("customers:customer_list")).content.decode()
    )


def test_switching_language_is_remembered_for_the_user(client_for, operator):
    client = client_for(operator)
    response = client.post(
        reverse("accounts:set_language"),
        {"language": "it", "next": reverse("customers:customer_list")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_list")
    operator.refresh_from_db()
    assert operator.language == "it"
    # Another device, no cookie: the preference follows the user.
    assert (
        "Clienti" in client_for(operator).get(reverse("customers:customer_list")).content.decode()
    )


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_pages_carry_a_strict_content_security_policy(operator_client):
    response = operator_client.get(reverse("customers:customer_list"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
