"""Every form and filter of the portal, walked with hostile values (tests/hostile.py).

The permission table (tests/permission_tables) names every URL with the data of one valid
request. Here every GET page is opened with hostile values in the usual filter, sorting and
paging parameters, and every POST is sent again with each of its fields replaced by hostile
values, as a role allowed to send it. None of them may end in a server error. The apps' own
tests/<app>/test_hostile_input.py check what the user sees and that nothing was half-saved.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.hostile import MARKUP, NASTY_VALUES, SCRIPT
from tests.permission_tables import ADMIN, ANON, OPER, TECH
from tests.test_permissions import ROWS, _build_world

pytestmark = pytest.mark.django_db

FILTER_PARAMS = [
    "q",
    "page",
    "sort",
    "o",
    "state",
    "status",
    "customer",
    "technician",
    "date_from",
    "date_to",
    "month",
    "week",
    "day",
    "year",
    "start",
    "end",
    "product",
    "kind",
    "type",
    "unit",
    "language",
]
# Leaving the session would make the rest of the walk anonymous.
SKIP = {"accounts:logout", "accounts:logout_everywhere"}
GET_VALUES = [MARKUP] + [NASTY_VALUES[i] for i in (5, 8, 12, 15)]


def _role_for(row) -> str | None:
    for role in (ADMIN, OPER, TECH, ANON):
        if row.expect[role] in (200, 302):
            return role
    return None


def _request(client, method: str, url: str, data: dict) -> int | str:
    try:
        response = getattr(client, method)(url, data)
    except Exception as error:  # noqa: BLE001 - collect every failure, report them together
        return f"{type(error).__name__}: {str(error)[:200]}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if SCRIPT.encode() in body:
        return "markup sent back unescaped"
    return response.status_code


def test_every_page_and_form_takes_hostile_input(client_for):
    world = _build_world()
    users = {role: make_user(f"walk-{role}", role) for role in (ADMIN, OPER, TECH)}
    failures: list[tuple] = []
    gets = posts = 0
    for row in ROWS:
        role = _role_for(row)
        if role is None or row.url_name in SKIP:
            continue
        client = client_for(users.get(role))
        try:
            url = reverse(row.url_name, args=row.args(world))
        except Exception:  # noqa: BLE001, S112 - a row whose object a previous POST removed
            continue
        if row.method == "get":
            # Three requests per page; each parameter gets three of the values, each request
            # carries all of them.
            for shift in range(3):
                params = {
                    name: GET_VALUES[(index + shift) % len(GET_VALUES)]
                    for index, name in enumerate(FILTER_PARAMS)
                }
                status = _request(client, "get", url, params)
                gets += 1
                if not isinstance(status, int) or status >= 500:
                    failures.append((row.id, f"filters #{shift}", status))
            continue
        data = row.data(world) if row.data else {}
        for index, field in enumerate(sorted(data)):
            for value in (NASTY_VALUES[index % 7], NASTY_VALUES[7 + index % 13], "x" * 5000):
                status = _request(client, "post", url, {**data, field: value})
                posts += 1
                if not isinstance(status, int) or status >= 500:
                    failures.append((row.id, field, value[:30], status))
    assert gets > 250 and posts > 30, (gets, posts)
    assert not failures, "\n".join(map(repr, failures))
