"""The installable portal (a progressive web app): its manifest and its service worker.

The service worker is served from the site's root (``/sw.js``) so that its scope is the whole
portal (a worker's scope cannot be wider than its folder, and static files live under
``/static/``). It is a few lines that load, from the portal's own static files, Workbox
(``workbox-sw`` with its modules copied from npm by ``make assets``: no CDN), ``idb``, the outbox
shared with the pages and the worker's own code (``static/js/sw-main.js``). What it caches and
why: docs/architecture.md, "Working without signal"; docs/security.md.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

ICON_SIZES = (192, 512)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, in the reader's language (a phone installs it under that name)."""
    name = _("Service Portal")
    data = {
        "name": name,
        "short_name": name,
        "description": _("Calls, jobs and hours of the after-sales service"),
        "lang": get_language(),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [
            {
                "src": static(f"icons/portal-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in ICON_SIZES
        ]
        + [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: the configuration, then ``importScripts`` of the portal's own files.

    Its URL changes nothing when a file changes, but its text does (hashed static names in
    production), which is how the browser notices a new worker."""
    prefix = (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
    )
    # workbox-sw loads its modules by their plain names (whitenoise serves those too).
    config = {"staticPrefix": prefix, "workboxPath": f"{prefix}vendor/workbox", "homeUrl": "/"}
    scripts = [
        static("vendor/workbox/workbox-sw.js"),
        static("vendor/idb/umd.js"),
        static("js/outbox.js"),
        static("js/sw-main.js"),
    ]
    body = (
        "// Service Portal's service worker (service_portal/pwa.py, static/js/sw-main.js).\n"
        f"self.PORTAL_SW = {json.dumps(config)};\n"
        f"importScripts({', '.join(json.dumps(s) for s in scripts)});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The whole portal is its scope (it is served from the root already; said explicitly).
    response["Service-Worker-Allowed"] = "/"
    return response
