"""Who may call the API: a valid, unrevoked token holding the scope of the request."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from api.models import ApiToken, Scope
from api.services import create_token, find_token, revoke_token
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"


def test_missing_token_is_401_with_a_challenge():
    response = APIClient().get(CUSTOMERS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer sp_deadbeef_wrong", "Bearer", "Bearer a b", "Bearer sp_é_x"],
)
def test_invalid_token_is_401(header):
    response = APIClient().get(CUSTOMERS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_portal_session_is_not_enough(admin_client_):
    assert admin_client_.get(CUSTOMERS).status_code == 401


def test_revoked_token_is_401():
    token, secret = create_token(name="erp", scopes=[Scope.CUSTOMERS_READ])
    revoke_token(token=token)
    response = APIClient().get(
        CUSTOMERS, HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_missing_scope_is_403(api_for):
    client = api_for(Scope.CATALOGUE_READ)
    assert client.get(CUSTOMERS).status_code == 403
    assert client.get("/api/v1/products/").status_code == 200
    response = api_for(Scope.CUSTOMERS_READ).put(
        f"{CUSTOMERS}by-code/C1/", {"name": "X"}, format="json"
    )
    assert response.status_code == 403
    assert "customers:write" in response.json()["detail"]


def test_write_scope_does_not_read(api_for):
    assert api_for(Scope.CUSTOMERS_WRITE).get(CUSTOMERS).status_code == 403


def test_use_is_recorded_and_only_the_hash_is_stored():
    token, secret = create_token(name="erp", scopes=[Scope.CUSTOMERS_READ])
    assert secret not in token.secret_hash and len(token.secret_hash) == 64
    assert token.last_used_at is None
    APIClient().get(CUSTOMERS, HTTP_AUTHORIZATION=f"Bearer {secret}")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert find_token(secret) == token
    assert find_token(secret + "x") is None


def test_command_prints_the_secret_once(capsys):
    call_command("create_api_token", "ERP sync", "--scopes", "customers:read", "customers:write")
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(name="ERP sync")
    assert token.scopes == ["customers:read", "customers:write"]
    make_customer()
    response = APIClient().get(CUSTOMERS, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_admin_creates_a_token_and_shows_the_secret_once(admin_client_, administrator):
    administrator.is_staff = True
    administrator.save()
    response = admin_client_.post(
        "/admin/api/apitoken/add/",
        {"name": "Warehouse", "scopes": ["catalogue:read"]},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Warehouse")
    assert token.created_by == administrator
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.split(": ")[-1] for m in shown if "sp_" in m)
    assert find_token(secret) == token
