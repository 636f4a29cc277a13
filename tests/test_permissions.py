"""Every URL of the portal x every role (see tests/permission_tables and docs/permissions.md)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.permission_tables as tables
from service_portal.apps import PORTAL_APPS
from tests.factories import make_user
from tests.permission_tables import ANON, LOGIN, ROLES, Row, World


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


def _named_urls(resolver=None, namespace: str | None = None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin has its own permission system (is_staff)
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
def test_permission_table(row: Row, role: str, client_for, db):
    world = _build_world()
    user = None if role == ANON else make_user(f"perm-{role}", role)
    client = client_for(user)
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
