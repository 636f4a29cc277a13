"""Accessibility checked by axe-core (from npm, injected by the test, never served by the portal):
every page of the permission table, as each role allowed to see it, in Italian and English.

A serious or critical violation fails the test, and so does any error in the browser console
(a Content-Security-Policy refusal included). For CI's time the sweep shares one browser and one
live server, and each role logs in once in its own browser context and visits its pages in one
loop; the duration is printed (pytest -s) and noted in docs/permissions.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.conftest import VIEWPORT
from tests.factories import make_user
from tests.permission_tables import ADMIN, OPER, TECH
from tests.test_permissions import ROWS, STAFF_FIELDS, _build_world

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("it", "en")
FAILING = ("serious", "critical")
# The API's reference page is Swagger UI's own markup, drawn by its script after the page loads
# (so found or not depending on timing): it is third-party code we do not write. The page itself
# (language, title, the portal's stylesheet) is checked; the drawn reference inside #swagger-ui
# is not (docs/permissions.md).
THIRD_PARTY = [["#swagger-ui"]]
RUN_AXE = """async (exclude) => {
  const result = await axe.run({include: [["html"]], exclude}, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""


def _pages(world, role: str, user) -> list[str]:
    """The full HTML pages the role may see (not files, not htmx fragments)."""
    client = Client()
    client.force_login(user)
    urls = []
    for row in ROWS:
        if row.method != "get" or row.expect.get(role) != 200 or row.url_name.startswith("admin:"):
            continue
        url = reverse(row.url_name, args=row.args(world))
        url = f"{url}?{row.query}" if row.query else url
        response = client.get(url)
        if (
            response.status_code == 200
            and "text/html" in response.get("Content-Type", "")
            and b"<html" in response.content[:200]
            and url not in urls
        ):
            urls.append(url)
    return urls


def test_every_page_passes_axe_core_for_each_role_in_italian_and_english(browser, live_server):
    assert AXE.is_file(), "axe-core is installed by npm (package.json)"
    started = time.monotonic()
    world = _build_world()
    violations: dict[str, list] = {}
    console: list[str] = []
    visited = 0
    for role in (TECH, OPER, ADMIN):
        user = make_user(f"axe-{role}", role, password=PASSWORD, **STAFF_FIELDS.get(role, {}))
        urls = _pages(world, role, user)
        context = browser.new_context(
            service_workers="block",  # no background fetches of the offline worker (conftest)
            base_url=live_server.url,
            viewport=VIEWPORT,
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(60_000)
        context.add_init_script(path=str(AXE))  # run by the browser itself: outside the CSP
        page = context.new_page()
        page.on("pageerror", lambda exc, page=page: console.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg, page=page: (
                console.append(f"{page.url}: {msg.text}") if msg.type == "error" else None
            ),
        )
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_selector("[data-testid=user-menu]")
        for language in LANGUAGES:
            User.objects.filter(pk=user.pk).update(language=language)
            for url in urls:
                page.goto(url)
                visited += 1
                found = [v for v in page.evaluate(RUN_AXE, THIRD_PARTY) if v["impact"] in FAILING]
                if found:
                    violations[f"{role} {language} {url}"] = found
        context.close()
    duration = time.monotonic() - started
    print(f"\naxe-core sweep: {visited} pages in {duration:.0f} s")
    assert visited > 100, "the sweep really visited the pages"
    summary = sorted(
        {
            f"{v['impact']} {v['id']}: {node}"
            for found in violations.values()
            for v in found
            for node in v["nodes"]
        }
    )
    assert not violations, f"{len(violations)} pages, {summary}; first: {list(violations)[:20]}"
    assert not console, console
