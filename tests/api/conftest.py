"""API clients holding tokens with chosen scopes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.models import Scope
from api.services import create_token

ALL_SCOPES = tuple(Scope.values)


@pytest.fixture
def api_for(db):
    """api_for(*scopes) -> an APIClient sending a fresh token with those scopes."""

    def make(*scopes: str) -> APIClient:
        _token, secret = create_token(name="test", scopes=scopes)
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # without it the portal speaks Italian
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make


@pytest.fixture
def api(api_for) -> APIClient:
    return api_for(*ALL_SCOPES)
