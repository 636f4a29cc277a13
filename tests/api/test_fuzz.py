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
