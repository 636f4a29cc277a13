"""No button or link a role cannot use: every page of the permission table, rendered for each
role allowed to see it, offers only what that role may follow.

Links (``<a href>``, ``hx-get``) are followed and must not answer 403; a form's action that
changes data (``method="post"``, ``hx-post``) is looked up in the permission table, which must
not refuse it to the role. (A technician once saw Edit and PDF buttons that answered 403.)
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from calls.models import Intervention, State
from tests.calls.factories import make_intervention
from tests.factories import make_user
from tests.permission_tables import ADMIN, OPER, TECH
from tests.test_permissions import ROWS, _build_world

LINK = re.compile(r'\s(?:href|hx-get)="(/[^"#]*)"')
FORM = re.compile(r"<form\b[^>]*>", re.S)
ACTION = re.compile(r'\s(?:action|hx-post)="(/[^"#]*)"')
SKIPPED = ("/static/", "/media/", "/admin/", "/accounts/logout")
LIMIT = 400  # pages and files requested per role: the table's pages and what they link to


def _pages(role):
    for row in ROWS:
        if row.method == "get" and row.expect.get(role) == 200:
            yield row


def _posts_refused(role) -> set[str]:
    """URL names whose every POST row refuses the role."""
    expectations: dict[str, set] = {}
    for row in ROWS:
        if row.method == "post":
            expectations.setdefault(row.url_name, set()).add(row.expect.get(role))
    return {name for name, seen in expectations.items() if seen == {403}}


def _name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def _own_interventions(technician) -> list[str]:
    """A technician's pages live on their own interventions (the table's are someone else's)."""
    from quotes.services import create_quote_from_price_list
    from tests.quotes.factories import make_price_list

    pages = []
    for state in (State.PLANNED, State.DONE, State.VERIFIED):
        intervention = make_intervention(state, technician=technician)
        pages.append(reverse("calls:manage", args=[intervention.call_id, intervention.number]))
    # A quoted intervention: the quote's summary is shown, its pages are the office's.
    customer = intervention.call.customer
    quote = create_quote_from_price_list(
        customer=customer,
        price_list=make_price_list(customer=customer),
        acting_user=make_user(None, ADMIN),
    )
    Intervention.objects.filter(pk=intervention.pk).update(quote=quote)
    return pages


@pytest.mark.parametrize("role", [TECH, OPER, ADMIN])
def test_every_link_and_button_shown_to_a_role_is_one_it_may_use(role, client_for, db):
    """The pages of the table and those they link to (to a bound), as the role sees them."""
    world = _build_world()
    user = make_user(f"buttons-{role}", role)
    client = client_for(user)
    refused_posts = _posts_refused(role)
    queue: list[tuple[str, str]] = []
    for row in _pages(role):
        url = reverse(row.url_name, args=row.args(world))
        queue.append((f"{url}?{row.query}" if row.query else url, "the permission table"))
    if role == TECH:
        queue += [(url, "the technician's interventions") for url in _own_interventions(user)]
    seen: set[str] = set()
    forbidden: list[str] = []
    pages = 0
    while queue and len(seen) < LIMIT:
        url, source = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code == 403:
            forbidden.append(f"{source}: a link to {url}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = response.content.decode()
        for found in LINK.findall(html):
            link = unescape(found)
            if not link.startswith(SKIPPED) and link not in seen:
                queue.append((link, url))
        for form in FORM.findall(html):
            for found in ACTION.findall(form):
                action = unescape(found)
                if 'method="get"' in form.lower():
                    queue.append((action, url))
                elif _name(action) in refused_posts:
                    forbidden.append(f"{url}: a form posting to {action}")
    assert pages > 10, "the walk really rendered pages"
    assert not forbidden, forbidden
