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
# With SCREENSHOTS=1 the journeys run in a language also save the pictures of the user guides.
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
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    # The live server's first request imports the whole portal (WeasyPrint, DRF...): on a
    # loaded machine that alone can take more than 15 seconds.
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
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, caret="initial")
    if language and os.environ.get("SCREENSHOTS") == "1":
        folder = GUIDE_SCREENSHOTS / language
        folder.mkdir(parents=True, exist_ok=True)
        # The top of the page, the visible window only (1280x800): small files for docs/.
        scrolled = page.evaluate("window.scrollY")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folder / f"{name}.png"), caret="initial")
        page.evaluate(f"window.scrollTo(0, {scrolled})")


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
