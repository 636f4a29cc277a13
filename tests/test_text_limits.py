"""Every free-text field has a maximum length, and no form stores more (docs/security.md,
finding 10: time-entry descriptions and planner notes took about 5 MB)."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from service_portal.apps import PORTAL_APPS
from tests.factories import make_user
from tests.permission_tables import ADMIN, OPER, TECH
from tests.test_hostile_walk import SKIP
from tests.test_permissions import ROWS, _build_world

pytestmark = pytest.mark.django_db

OVERSIZED = "x" * 100_001


def _text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in PORTAL_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField | models.CharField):
                yield model, field


def test_every_text_field_of_the_portal_declares_a_maximum_length():
    missing = [f"{m._meta.label}.{f.name}" for m, f in _text_fields() if not f.max_length]
    assert not missing, missing


def _role_for(row) -> str | None:
    for role in (ADMIN, OPER, TECH):
        if row.expect[role] in (200, 302):
            return role
    return None


def test_no_form_stores_an_oversized_text(client_for):
    """Each field of each form of the permission table, one at a time, 100,001 characters."""
    world = _build_world()
    users = {role: make_user(f"limit-{role}", role) for role in (ADMIN, OPER, TECH)}
    posts, failures = 0, []
    for row in ROWS:
        role = _role_for(row)
        if row.method != "post" or role is None or row.url_name in SKIP or not row.data:
            continue
        client = client_for(users[role])
        try:
            url = reverse(row.url_name, args=row.args(world))
        except Exception:  # noqa: BLE001, S112 - a row whose object an earlier POST removed
            continue
        data = row.data(world)
        for field in sorted(data):
            response = client.post(url, {**data, field: OVERSIZED})
            posts += 1
            if response.status_code >= 500:
                failures.append((row.id, field, response.status_code))
    assert posts > 10, posts
    assert not failures, failures
    too_long = []
    for model, field in _text_fields():
        longest = (
            model.objects.annotate(_length=models.functions.Length(field.name))
            .order_by("-_length")
            .values_list("_length", flat=True)
            .first()
        )
        if longest is not None and longest > field.max_length:
            too_long.append((model._meta.label, field.name, longest))
    assert not too_long, too_long


def test_an_oversized_note_is_a_translated_form_error(client_for):
    from django.utils import translation

    from customers.forms import CustomerForm

    client = client_for(make_user("olga", "operator", language="it"))
    page = client.get(reverse("customers:customer_create")).content.decode()
    assert 'maxlength="4000"' in page  # the browser stops there already
    with translation.override("it"):
        form = CustomerForm(data={"name": "Rossi", "language": "it", "notes": "x" * 4001})
        assert not form.is_valid()
        assert "al massimo 4000 caratteri" in str(form.errors["notes"]) or (
            "4000" in str(form.errors["notes"])
        )
        assert str(form.errors["notes"]).startswith('<ul class="errorlist"') and "Assicurati" in (
            str(form.errors["notes"])
        )


TEXT_AREA = re.compile(r"<textarea\b([^>]*)>", re.IGNORECASE)


def test_every_text_area_of_every_page_has_a_maximum_length(client_for):
    """Every page of the permission table, as a role that may open it: no free-text box
    without ``maxlength`` (the server checks the same limit)."""
    world = _build_world()
    users = {role: make_user(f"box-{role}", role) for role in (ADMIN, OPER, TECH)}
    missing: set[tuple[str, str]] = set()
    for row in ROWS:
        role = _role_for(row)
        if row.method != "get" or role is None or row.expect[role] != 200:
            continue
        url = reverse(row.url_name, args=row.args(world))
        response = client_for(users[role]).get(url + (f"?{row.query}" if row.query else ""))
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for attrs in TEXT_AREA.findall(response.content.decode()):
            if "maxlength" not in attrs and "readonly" not in attrs:
                name = re.search(r'name="([^"]+)"', attrs)
                missing.add((row.url_name, name.group(1) if name else attrs[:60]))
    assert not missing, sorted(missing)
