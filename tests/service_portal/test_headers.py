"""Every page of the permission table, as every role that may open it: a strict CSP header, and
no inline script or style in the HTML (the policy would block them, so they would be bugs)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.permission_tables import ANON, ROLES
from tests.test_permissions import ROWS, _build_world

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
EVENT_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_offences(html: str) -> list[str]:
    found = []
    for match in SCRIPT.finditer(html):
        attrs = match.group(1)
        if "src=" not in attrs and 'type="application/json"' not in attrs:
            found.append(match.group(0))
    for pattern in (STYLE_ATTR, STYLE_TAG, EVENT_ATTR, JS_URL):
        found += [m.group(0)[:120] for m in pattern.finditer(html)]
    return found


def csp_offences(header: str) -> list[str]:
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip()
    )
    problems = [d for d in ("default-src", "script-src", "style-src") if d not in directives]
    problems += [
        f"{name}: {value}"
        for name, value in directives.items()
        if "unsafe-inline" in value or "unsafe-eval" in value or "*" in value.split()
    ]
    if "frame-ancestors" not in directives:
        problems.append("no frame-ancestors")
    return problems


def test_the_checker_spots_inline_code():
    assert inline_offences('<script>alert(1)</script><div style="color:red" onclick="x()">')
    assert inline_offences('<a href="javascript:alert(1)">')
    assert not inline_offences(
        '<script src="/static/a.js"></script><script type="application/json" id="d">{}</script>'
    )
    assert csp_offences("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'")


def test_every_page_has_a_strict_policy_no_inline_code_and_no_cached_copy(client_for):
    world = _build_world()
    clients = {
        role: client_for(None if role == ANON else make_user(f"hdr-{role}", role)) for role in ROLES
    }
    problems: dict[str, list[str]] = {}
    pages = 0
    documents: set[str] = set()
    for row in ROWS:
        if row.method != "get":
            continue
        url = reverse(row.url_name, args=row.args(world))
        if row.query:
            url = f"{url}?{row.query}"
        for role, client in clients.items():
            if row.expect[role] != 200:
                continue
            response = client.get(url)
            if response.status_code != 200:
                continue
            # Pages and documents alike: no browser or proxy keeps a copy (finding 15). The
            # calendar feed is polled by calendar programs: a private copy for 5 minutes.
            content_type = response.get("Content-Type", "")
            cache_control = response.get("Cache-Control", "")
            allowed = "private" if content_type.startswith("text/calendar") else "no-store"
            found = [] if allowed in cache_control else [f"cacheable: {cache_control}"]
            if "text/html" not in content_type:
                documents.add(content_type.split(";")[0])
                if found:
                    problems[f"{role} {url}"] = found
                continue
            pages += 1
            found += csp_offences(response.get("Content-Security-Policy", ""))
            found += inline_offences(response.content.decode())
            if found:
                problems[f"{role} {url}"] = found
    assert pages > 50
    assert {"application/pdf", "text/csv", "text/calendar"} <= documents, documents
    assert not problems, problems


def test_static_files_stay_cacheable_and_the_language_cookie_is_same_site(client):
    response = client.post(reverse("accounts:set_language"), {"language": "de", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie["samesite"] == "Lax" and cookie["httponly"]
    static = client.get("/static/css/portal.css")
    assert "no-store" not in static.get("Cache-Control", "")


def test_the_security_headers_are_sent(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_production_cookies_are_secure_and_http_only():
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE",
        "LANGUAGE_COOKIE_SECURE",
        "LANGUAGE_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SAMESITE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
    ]
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 64 + "-production-secret-Zz9",
        ALLOWED_HOSTS="service.example.com",
        DJANGO_SETTINGS_MODULE="service_portal.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }
