"""Every URL of the portal x every role (see tests/permission_tables and docs/permissions.md).

The rows' objects and one signed-in user per role are made once for the module
(``world_once``), in a transaction rolled back after the last row; each row runs in a savepoint
inside it, so what a POST changes or deletes (the session of a logout included) is undone
before the next row. Only status codes (and the login
redirect) are checked here: templates are found and compiled but not rendered. Every page is
rendered, in every language, by tests/test_every_page_translated.py.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import pytest
from django.conf import settings
from django.db import transaction
from django.template.backends.django import Template
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.permission_tables as tables
from service_portal.apps import PORTAL_APPS
from tests.factories import make_user
from tests.permission_tables import ADMIN, ANON, LOGIN, ROLES, Row, World


def _modules():
    """One module per app, in layer order: a later app's build() may use what an earlier made."""
    names = {m.name for m in pkgutil.iter_modules(tables.__path__)}
    assert names == set(PORTAL_APPS), f"one module per app: {sorted(names ^ set(PORTAL_APPS))}"
    return [importlib.import_module(f"tests.permission_tables.{n}") for n in PORTAL_APPS]


MODULES = _modules()
ROWS: list[Row] = [row for module in MODULES for row in module.ROWS]


def _build_world() -> World:
    world = World()
    for module in MODULES:
        if hasattr(module, "build"):
            module.build(world)
    return world


# Administrators are staff and superusers, as `create_admin` makes them (the Django admin rows);
# operators become staff through their role (accounts/operators.py).
STAFF_FIELDS = {ADMIN: {"is_staff": True, "is_superuser": True}}


def _session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker):
    """(world, a session key per role), made once, rolled back after the module's last test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world()
            sessions = {
                role: _session_key(make_user(f"perm-{role}", role, **STAFF_FIELDS.get(role, {})))
                for role in ROLES
                if role != ANON
            }
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield built, sessions
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def _no_rendering():
    """A found, compiled template renders as nothing: only the status code counts here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Template, "render", lambda self, context=None, request=None: "")
        yield


def _named_urls(resolver=None, namespace: str | None = None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin: its rows (master data, a sample of the rest) are in
                # tests/permission_tables/service_portal.py, not one per URL
            ns = pattern.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _named_urls(pattern, full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_a_row():
    covered = {row.url_name for row in ROWS}
    missing = sorted(set(_named_urls()) - covered)
    assert not missing, f"URLs without a row in tests/permission_tables: {missing}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_permission_table(row: Row, role: str, world_once, db):
    world, sessions = world_once
    client = Client()
    if role != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    url = reverse(row.url_name, args=row.args(world))
    if row.query:
        url = f"{url}?{row.query}"
    data = row.data(world) if row.data else {}
    response = getattr(client, row.method)(url, data)
    expected = row.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, (url, role, response.status_code)
        assert response["Location"].startswith(reverse("accounts:login")), response["Location"]
    else:
        assert response.status_code == expected, (url, role, response.status_code)
