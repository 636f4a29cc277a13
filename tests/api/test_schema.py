"""The OpenAPI schema the portal serves is valid and describes the token authentication."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "it"])
def test_served_schema_is_valid_openapi(language):
    response = APIClient().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["components"]["securitySchemes"]["ApiToken"]["scheme"] == "bearer"
    paths = set(spec["paths"])
    assert "/api/v1/customers/by-code/{code}/" in paths
    assert "/api/v1/units/" in paths
    params = {p["name"] for p in spec["paths"]["/api/v1/units/"]["get"]["parameters"]}
    assert {"updated_since", "external_code", "page", "page_size"} <= params


def test_schema_is_also_served_as_yaml():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3")
