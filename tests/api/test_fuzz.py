"""Schemathesis against the served OpenAPI schema: whatever the input, never a server error.

Bounded (20 examples per operation, derandomised) so it runs in `make test`; a longer run is
`FUZZ_EXAMPLES=500 pytest -m fuzz`.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from accounts.models import Role
from api.models import Scope
from api.services import create_token
from invoicing import services as invoicing_services
from orders import services as order_services
from tests.factories import make_customer, make_product, make_site, make_unit, make_user
from tests.invoicing.factories import make_verified_call
from tests.orders.factories import make_accepted, make_part

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))


@pytest.fixture
def _keep_connection():
    """The portal's WSGI application is called directly (not through Django's test client),
    so keep it from closing the test's database connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def secret(db, _keep_connection, settings):
    settings.API_THROTTLE_RATE = ""  # the fuzzer sends many requests with one token
    customer = make_customer(external_code="C1")
    site = make_site(customer, external_code="S1")
    product = make_product(code="P1")
    make_unit(site, product, external_code="U1")
    make_part("SP1", products=[product])
    # one of everything the read endpoints serve: call, intervention, offer, order, invoice
    admin = make_user("fuzz-admin", Role.ADMINISTRATOR)
    offer = make_accepted(admin, parts=[make_part("SP2")])
    order_services.convert_to_order(offer=offer, acting_user=admin)
    draft = invoicing_services.create_draft(calls=[make_verified_call()], acting_user=admin)
    invoicing_services.issue(invoice=draft, acting_user=admin)
    return create_token(name="fuzz", scopes=Scope.values)[1]


# Loaded through the portal itself: the schema under test is the one it serves. (Django's own
# WSGI handler: service_portal.wsgi refuses the tests' development key outside runserver.)
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, secret):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"}, checks=[not_a_server_error]
    )


# --- Malformed input (docs/security.md, finding 8): negative examples, and the probe's own ---
negative = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
negative.config.generation.update(modes=[GenerationMode.NEGATIVE])


@schemathesis.check
def json_answer(ctx, response, case):
    """Every answer of the API, refusals included, is JSON (a 4xx with a JSON body)."""
    kind = next((v[0] for k, v in response.headers.items() if k.lower() == "content-type"), "")
    if response.content and not kind.startswith("application/json"):
        raise AssertionError(f"not JSON ({kind}): {response.content[:100]!r}")


@negative.parametrize()
@settings(
    max_examples=max(5, EXAMPLES // 2),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_malformed_requests_get_json_refusals(case, secret):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"}, checks=[not_a_server_error, json_answer]
    )


LIST_PATHS = ["/api/v1/customers/", "/api/v1/units/", "/api/v1/invoices/", "/api/v1/calls/"]


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("after_id", ["²", "١٢", "-1", "9" * 30])
def test_the_probes_after_id_through_the_schema(path, after_id, secret):
    case = schema[path]["GET"].Case(query={"after_id": after_id})
    response = case.call(headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 400 and response.json()["after_id"]


@pytest.mark.parametrize("path", ["/api/v1/customers/by-code/{code}/"])
def test_the_probes_nested_json_through_the_schema(path, secret):
    case = schema[path]["PUT"].Case(path_parameters={"code": "C1"})
    response = case.call(
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        data=b"[" * 100_000 + b"]" * 100_000,
    )
    assert response.status_code == 400 and "detail" in response.json()
