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
