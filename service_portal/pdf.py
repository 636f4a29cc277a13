"""HTML templates rendered to PDF with WeasyPrint, in the reader's language.

Templates reference assets with ``{% static %}`` (``/static/...``) and uploaded images with
``/media/...``; the fetcher below maps those to files on disk and refuses every other address,
so a document never reaches the network and never reads arbitrary local files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class PortalURLFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = _local_path(url)
        if path is None:
            raise ValueError(f"Documents may only use the portal's own files, not {url!r}.")
        return URLFetcherResponse(url, path.read_bytes(), status=200)


def _local_path(url: str) -> Path | None:
    if not url.startswith("file://"):
        return None
    path = url.removeprefix("file://").split("?", 1)[0]
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    media_prefix = "/" + settings.MEDIA_URL.strip("/") + "/"
    if path.startswith(static_prefix):
        found = finders.find(path.removeprefix(static_prefix))
        return Path(found) if found else None
    if path.startswith(media_prefix):
        root = Path(settings.MEDIA_ROOT).resolve()
        candidate = (root / path.removeprefix(media_prefix)).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def render_pdf(template_name: str, context: dict[str, Any], *, language: str) -> bytes:
    """Render ``template_name`` in ``language`` and return the PDF bytes."""
    with translation.override(language):
        html = render_to_string(template_name, {**context, "LANGUAGE_CODE": language})
        return HTML(string=html, base_url="file:///", url_fetcher=PortalURLFetcher()).write_pdf()
