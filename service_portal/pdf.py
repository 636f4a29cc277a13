"""HTML templates rendered to PDF with WeasyPrint, in the reader's language.

Templates reference assets with ``{% static %}`` (``/static/...``) and uploaded images with
``/media/...``; the fetcher below maps those to files on disk and refuses every other address,
so a document never reaches the network and never reads arbitrary local files.

What does not change between documents is prepared once per process, not per document: the
document's stylesheet (a static file, parsed once and re-read only when the file changes) and
WeasyPrint's font configuration (fontconfig's font list and the fonts already matched, one per
thread as Pango's font maps are not thread-safe) and the images (the logo), parsed once per
thread, and the user-agent stylesheet (WeasyPrint's, without the rules for pseudo-elements the
documents never have: ``user_agent_css``). Everything that depends on the data, the settings or
the language (company name, amounts, translated words, the page footer with the document's
code) is rendered into the HTML of each document, never cached.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import md5
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, DEFAULT_OPTIONS, HTML
from weasyprint import html as weasyprint_html
from weasyprint.css.counters import CounterStyle
from weasyprint.images import get_image_from_uri
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from service_portal.company import branding


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


COMPANY_STYLESHEET = "pdf/company.css"

_per_thread = threading.local()
_stylesheets: dict[str, tuple[int, CSS]] = {}


def _image_cache() -> dict:
    """This thread's WeasyPrint image cache: the company logo (the one image every document
    shows) and the static images are read and parsed once, not once per document. Keys are the
    images' addresses; an uploaded logo gets a new random file name (``company_logo_path``), so a
    replaced logo is never served stale. Per thread, as the parsed images are not shared between
    threads. A document renders with a copy of it (``_document_images``) and only those shared
    images are kept afterwards: a report's photos and signature are printed once and would
    otherwise stay in memory for the life of the process, one set per report."""
    cache = getattr(_per_thread, "images", None)
    if cache is None:
        cache = _per_thread.images = {}
    return cache


def _document_images() -> dict:
    """The image cache one document renders with: the thread's kept images and room for its
    own (see ``_keep_shared_images``)."""
    return dict(_image_cache())


def _keep_shared_images(images: dict, logo_url: str) -> None:
    """Keep, from a rendered document's image cache, the images every document may show: the
    company logo and static files (by address, and the data WeasyPrint stores under the image's
    id, the MD5 of its address); the rest (photos, signatures) goes with the document."""
    kept = _image_cache()
    static = "file:///" + settings.STATIC_URL.strip("/") + "/"
    logo = "file://" + logo_url if logo_url else None
    shared = {key for key in images if key not in kept and (key.startswith(static) or key == logo)}
    if not shared:
        return
    ids = {md5(url.encode(), usedforsecurity=False).hexdigest() + "-" for url in shared}
    for key, value in images.items():
        if key in shared or any(key.startswith(image_id) for image_id in ids):
            kept[key] = value


def _font_config() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, created on first use and kept: building one
    reads fontconfig's whole font list, and a kept one remembers the fonts it already matched.
    The documents declare no ``@font-face``, so nothing document-specific is stored in it."""
    config = getattr(_per_thread, "font_config", None)
    if config is None:
        config = _per_thread.font_config = FontConfiguration()
    return config


# The letterhead's logo fits a box of 45 x 16 mm (never enlarged); the identity starts 4 mm to its
# right. In CSS pixels (WeasyPrint's unit: 96 per inch) as WeasyPrint gives an image's size.
LOGO_MAX_WIDTH = 45 * 96 / 25.4
LOGO_MAX_HEIGHT = 16 * 96 / 25.4
LOGO_GAP = 4 * 96 / 25.4


@dataclass(frozen=True)
class LetterheadLogo:
    """The logo as the letterhead draws it: its address and its size, and the identity's indent
    (``portal/document_header.html``: the header's left padding, and the logo's negative margin
    that takes it back there; the logo's height is the header's least). Sizes are CSS lengths,
    written in the template as they are (a number in the template would be localised: "16,00"
    in Italian)."""

    url: str
    width: str
    height: str
    indent: str


def _letterhead_logo(url: str) -> LetterheadLogo | None:
    """The logo's size in the letterhead, computed once per logo and thread (a replaced logo has
    a new file name). Sized here rather than by the stylesheet so that the header can hold the
    logo in its left padding (``pdf/company.css``), the identity's lines beside it: WeasyPrint
    lays a flex row's text out several times and does not narrow a block formatting context
    beside a float (it moves it below the logo). The same fit as ``max-width: 45mm;
    max-height: 16mm`` on the image: an image with a size of its own is only ever reduced, a
    drawing with only a shape (an SVG with a viewBox) fills the box's width or height. None
    when the logo cannot be read (WeasyPrint would draw nothing either)."""
    if not url:
        return None
    boxes = getattr(_per_thread, "logo_boxes", None)
    if boxes is None:
        boxes = _per_thread.logo_boxes = {}
    if url not in boxes:
        boxes[url] = _logo_box(url)
    return boxes[url]


def _logo_box(url: str) -> LetterheadLogo | None:
    image = get_image_from_uri(
        cache={}, url_fetcher=PortalURLFetcher(), options=DEFAULT_OPTIONS, url="file://" + url
    )
    if image is None:
        return None
    width, height, ratio = image.get_intrinsic_size(1, 16)
    if not ratio:
        width, height = width or 300, height or 150  # CSS's default size of a replaced element
        ratio = width / height
    if not width or not height:  # a shape only: as wide or as high as the box allows
        width = min(LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT * ratio)
        height = width / ratio
    scale = min(1, LOGO_MAX_WIDTH / width, LOGO_MAX_HEIGHT / height)
    width, height = width * scale, height * scale
    return LetterheadLogo(
        url=url,
        width=f"{width:.2f}px",
        height=f"{height:.2f}px",
        indent=f"{width + LOGO_GAP:.2f}px",
    )


# WeasyPrint's user-agent stylesheet gives five pseudo-elements a rule of their own that matches
# every element (``::footnote-call { ... }``) and the markers one more (``::marker``): WeasyPrint
# computed six styles per element for pseudo-elements a document of the portal never has (six of
# every seven styles it computed, some 5 % of a document's work). Footnotes and notes appear only
# with ``float: footnote`` or ``position: note()``, which no document uses: their rules are left
# out. Markers appear only on list items: their rule applies to those (``li``, ``summary``).
_UA_NOTE_RULES = re.compile(
    r"^::(?:footnote-call|footnote-marker|note-call|note-marker|note-callback) \{[^}\n]*\}\n", re.M
)
_UA_MARKER_RULE = re.compile(r"^::marker \{", re.M)
_user_agent: list[CSS] = []


def user_agent_css(text: str) -> str | None:
    """WeasyPrint's user-agent stylesheet ``text`` without its rules for footnotes and notes and
    with the markers' rule for list items only; None when the text is not as expected (another
    WeasyPrint version): the documents then use WeasyPrint's own sheet."""
    text, notes = _UA_NOTE_RULES.subn("", text)
    text, markers = _UA_MARKER_RULE.subn("li::marker, summary::marker {", text)
    return text if notes == 5 and markers == 1 else None


def _user_agent_stylesheet() -> CSS:
    """The user-agent stylesheet of the documents, parsed once per process."""
    if not _user_agent:
        text = user_agent_css(weasyprint_html.UA)
        _user_agent.append(
            CSS(string=text, counter_style=CounterStyle())
            if text is not None
            else weasyprint_html.UA_STYLESHEET
        )
    return _user_agent[0]


class DocumentHTML(HTML):
    """An HTML document rendered with the documents' user-agent stylesheet (see
    ``user_agent_css``); the same as WeasyPrint's ``HTML`` otherwise."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [
            _user_agent_stylesheet() if sheet is weasyprint_html.UA_STYLESHEET else sheet
            for sheet in super()._ua_stylesheets(forms)
        ]


def _stylesheet(name: str) -> CSS:
    """The static stylesheet ``name`` parsed once per process (again only if the file changes).
    Only static rules belong there: anything translated or taken from the data stays in the
    template's own ``<style>``. ``url()`` references resolve like the template's."""
    found = finders.find(name)
    if not found:
        raise ImproperlyConfigured(f"PDF stylesheet {name!r} not found in the static files.")
    version = os.stat(found).st_mtime_ns
    cached = _stylesheets.get(found)
    if cached is None or cached[0] != version:
        sheet = CSS(
            string=Path(found).read_text(encoding="utf-8"),
            base_url="file:///",
            url_fetcher=PortalURLFetcher(),
        )
        cached = _stylesheets[found] = (version, sheet)
    return cached[1]


def document_html(template_name: str, context: dict[str, Any], *, language: str) -> str:
    """The HTML that ``render_pdf`` gives WeasyPrint (in the active language: call it inside
    ``translation.override(language)``)."""
    if "company" not in context:
        context = {"company": branding(), **context}
    context = {**context, "LANGUAGE_CODE": language}
    context["letterhead_logo"] = _letterhead_logo(context["company"].logo_document_url)
    return render_to_string(template_name, context)


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    language: str,
    stylesheet: str | Sequence[str] | None = None,
) -> bytes:
    """Render ``template_name`` in ``language`` and return the PDF bytes.

    ``stylesheet`` names a static CSS file (``"orders/pdf/offer.css"``) with the document's
    fixed rules, or several, applied in order (rules shared between documents first:
    ``("pdf/lines.css", "quotes/quote_pdf.css")``). WeasyPrint applies them as user stylesheets:
    above its defaults, below the template's own ``<style>``, which therefore must not set the
    same properties on the same elements (the templates keep only their ``@page`` rule there).

    Every document gets ``company`` (``service_portal.company.Branding``) for its letterhead
    (``portal/document_header.html``) and footer, styled by ``pdf/company.css``, and
    ``letterhead_logo`` (``LetterheadLogo``, the logo's size, or None without a logo).
    """
    names = [stylesheet] if isinstance(stylesheet, str) else list(stylesheet or ())
    names.insert(0, COMPANY_STYLESHEET)
    with translation.override(language):
        if "company" not in context:
            context = {"company": branding(), **context}
        html = document_html(template_name, context, language=language)
        document = DocumentHTML(string=html, base_url="file:///", url_fetcher=PortalURLFetcher())
        images = _document_images()
        content = document.write_pdf(
            stylesheets=[_stylesheet(name) for name in names] or None,
            font_config=_font_config(),
            cache=images,
        )
    _keep_shared_images(images, context["company"].logo_document_url)
    return content
