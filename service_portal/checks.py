"""System checks of the runtime the portal needs beyond its Python packages."""

from __future__ import annotations

from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def check_pdf_font_subsetting(app_configs=None, **kwargs):
    """Without HarfBuzz's subsetting library WeasyPrint falls back to fontTools, which re-reads
    every embedded font in Python: each document takes several times longer (docs/operations.md,
    Performance). WeasyPrint itself only logs this, and its logger is quiet below errors."""
    from weasyprint.text import ffi

    if ffi.harfbuzz_subset is not None and ffi.harfbuzz.hb_version_atleast(4, 1, 0):
        return []
    return [
        checks.Warning(
            "WeasyPrint cannot load libharfbuzz-subset (4.1 or later) and subsets the fonts of "
            "every PDF with fontTools, several times slower.",
            hint="Install the system package libharfbuzz-subset0 (Debian, Ubuntu).",
            id="service_portal.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_requests_never_wait_for_mail(app_configs=None, **kwargs):
    """With the immediate task backend the app processes send e-mails themselves: a slow mail
    server slows the requests that queue mail (docs/security.md, finding 4)."""
    from django.conf import settings

    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or not backend.endswith("ImmediateBackend"):
        return []
    return [
        checks.Warning(
            "TASKS_BACKEND is 'immediate': the app processes send every e-mail themselves.",
            hint="Set TASKS_BACKEND=database and run `manage.py db_worker` "
            "(docs/operations.md, Background tasks).",
            id="service_portal.W002",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_client_address_behind_a_proxy(app_configs=None, **kwargs):
    """Behind a proxy with TRUSTED_PROXY_COUNT=0 every client has the proxy's address: one
    guesser locks everybody out of the login, recovery and the acceptance links."""
    from django.conf import settings

    if settings.TRUSTED_PROXY_COUNT or not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return []
    return [
        checks.Warning(
            "BEHIND_TLS_PROXY is set but TRUSTED_PROXY_COUNT is 0: every client would have the "
            "proxy's address for the login lockout, the rate limits and the audit log.",
            hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of the portal "
            "(1 for the nginx of docs/operations.md).",
            id="service_portal.W003",
        )
    ]
