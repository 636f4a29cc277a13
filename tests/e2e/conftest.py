"""Real-browser journeys: Playwright driving Debian's Chromium against the live test server.

Outside CI a machine without Chromium skips these tests and says how to install it; in CI
(CI=true) a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
INSTALL_HINT = "install it with: sudo apt-get install chromium"

# Playwright's sync API runs an event loop in the test thread; the test itself only touches the
# database between browser steps, never concurrently with them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Screenshots of the users' guides (docs/guide-*.md, docs/it/): written only with SCREENSHOTS=1.
GUIDE_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing; {INSTALL_HINT}")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}; {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_locale() -> str:
    """The browser's locale (date inputs follow it); a test may parametrize it."""
    return "en-GB"


@pytest.fixture
def page(browser, live_server, browser_locale):
    context = browser.new_context(
        base_url=live_server.url,
        locale=browser_locale,
        viewport=VIEWPORT,
        reduced_motion="reduce",  # no smooth scrolling or transitions half-way in a screenshot
        # The offline worker keeps the day's pages by fetching them after each signed-in page:
        # requests that would outlive a test. Only tests/e2e/test_offline.py lets it run.
        service_workers="block",
    )
    context.set_default_timeout(15_000)
    # On a loaded machine the live server's first page (its first requests for static files)
    # can take longer than a wait for an element should.
    context.set_default_navigation_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status == 404 else None
        ),
    )
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    yield page
    context.close()
    assert not errors, f"errors in the browser console: {errors}"


@pytest.fixture
def login(page):
    def do(username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]")

    return do


def screenshot(page, name: str, language: str | None = None) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret injects a <style> the Content-Security-Policy refuses.
    prefix = f"{language}-" if language else ""
    page.screenshot(path=str(SCREENSHOTS / f"{prefix}{name}.png"), full_page=True, caret="initial")


def t(msgid: str, language: str, context: str | None = None) -> str:
    """A label as the user reads it in ``language`` (selectors follow the user's language)."""
    from django.utils import translation

    with translation.override(language):
        if context:
            return translation.pgettext(context, msgid)
        return translation.gettext(msgid)


def number(value: str, language: str) -> str:
    """``"6.50"`` as the page writes it: a decimal comma in every language but English."""
    return value if language == "en" else value.replace(".", ",")


def guide_screenshot(page, lang: str, name: str) -> None:
    """Save the viewport as docs/screenshots/<lang>/<name>.png when SCREENSHOTS=1 (never in CI)."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    folder = GUIDE_SCREENSHOTS / lang
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    # caret="initial": hiding the caret injects an inline style, which the CSP refuses.
    page.screenshot(path=str(folder / f"{name}.png"), caret="initial")


def wait_for_htmx(page, selector: str) -> None:
    """Wait until htmx has taken charge of the element (its listeners are attached): a section
    swapped in a moment ago is in the page before htmx has processed it, and typing into it
    then would trigger nothing."""
    page.wait_for_function(
        "selector => { const e = document.querySelector(selector);"
        " return !!(e && e['htmx-internal-data']); }",
        arg=selector,
    )
