"""What render_pdf keeps between documents (a stylesheet's parsed rules, the font configuration)
and what it never keeps (company name, language, data): every document is read back."""

from __future__ import annotations

import io
import os
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader
from weasyprint import CSS, HTML
from weasyprint import html as weasyprint_html

from orders.documents import offer_pdf
from service_portal import checks as portal_checks
from service_portal import pdf
from service_portal.models import CompanyProfile
from tests.orders.factories import make_draft, make_part


def _text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def _fonts(document: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(document)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[1])
    return fonts


@pytest.fixture
def document(tmp_path, settings, monkeypatch):
    """A template in a temporary directory and its stylesheet as a static file."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    (tmp_path / "doc.html").write_text(
        '{% load i18n %}<html><body><h1>{% translate "Customers" %}</h1>'
        "<p>{{ body }}</p></body></html>"
    )
    css = tmp_path / "doc.css"
    css.write_text('body { font-family: "DejaVu Sans" }')
    real_find = pdf.finders.find
    monkeypatch.setattr(
        pdf.finders, "find", lambda name: str(css) if name == "test/doc.css" else real_find(name)
    )
    monkeypatch.setattr(pdf, "_stylesheets", {})
    pdf._stylesheet(pdf.COMPANY_STYLESHEET)  # every document's letterhead rules, parsed before
    pdf._user_agent_stylesheet()  # and the user-agent stylesheet, once per process
    return css


def _counting_css(monkeypatch) -> list:
    parsed = []
    real_css = pdf.CSS

    def counting(*args, **kwargs):
        parsed.append(kwargs.get("string"))
        return real_css(*args, **kwargs)

    monkeypatch.setattr(pdf, "CSS", counting)
    return parsed


def test_the_stylesheet_is_parsed_once_and_the_data_is_fresh_every_time(document, monkeypatch):
    parsed = _counting_css(monkeypatch)
    first = pdf.render_pdf("doc.html", {"body": "Rossi"}, language="it", stylesheet="test/doc.css")
    second = pdf.render_pdf(
        "doc.html", {"body": "Bianchi"}, language="en", stylesheet="test/doc.css"
    )
    assert len(parsed) == 1
    assert "Clienti" in _text(first) and "Rossi" in _text(first)
    assert "Customers" in _text(second) and "Bianchi" in _text(second)
    assert "Rossi" not in _text(second) and "Clienti" not in _text(second)
    assert _fonts(first) == _fonts(second) == {"DejaVu-Sans", "DejaVu-Sans-Bold"}


def test_a_changed_stylesheet_shows_in_the_next_document(document, monkeypatch):
    parsed = _counting_css(monkeypatch)
    before = pdf.render_pdf("doc.html", {}, language="it", stylesheet="test/doc.css")
    document.write_text('body { font-family: "DejaVu Serif" }')
    stamp = document.stat().st_mtime_ns + 1_000_000_000
    os.utime(document, ns=(stamp, stamp))
    after = pdf.render_pdf("doc.html", {}, language="it", stylesheet="test/doc.css")
    assert len(parsed) == 2
    assert "DejaVu-Sans-Bold" in _fonts(before)
    assert "DejaVu-Serif-Bold" in _fonts(after) and "DejaVu-Sans-Bold" not in _fonts(after)


def test_shared_rules_come_first_and_the_documents_own_rules_after(document, tmp_path, monkeypatch):
    shared = tmp_path / "shared.css"
    shared.write_text('body { font-family: "DejaVu Serif" } h1 { font-family: "DejaVu Serif" }')
    document.write_text('body { font-family: "DejaVu Sans" }')
    real_find = pdf.finders.find
    monkeypatch.setattr(
        pdf.finders,
        "find",
        lambda name: (
            {"test/shared.css": str(shared), "test/doc.css": str(document)}.get(name)
            or real_find(name)
        ),
    )
    both = pdf.render_pdf(
        "doc.html", {"body": "Rossi"}, language="it", stylesheet=("test/shared.css", "test/doc.css")
    )
    # The paragraph takes the document's own font; the heading keeps the shared rule's.
    assert _fonts(both) == {"DejaVu-Sans", "DejaVu-Serif-Bold"}


def test_a_missing_stylesheet_is_a_clear_error(document):
    with pytest.raises(ImproperlyConfigured, match="nowhere.css"):
        pdf.render_pdf("doc.html", {}, language="it", stylesheet="test/nowhere.css")


def test_each_thread_renders_with_its_own_font_configuration(document):
    mine = pdf._font_config()
    assert pdf._font_config() is mine
    seen = {}

    def render_in_thread():
        seen["config"] = pdf._font_config()
        seen["pdf"] = pdf.render_pdf(
            "doc.html", {"body": "Verdi"}, language="it", stylesheet="test/doc.css"
        )

    thread = threading.Thread(target=render_in_thread)
    thread.start()
    thread.join()
    assert seen["config"] is not mine
    assert "Verdi" in _text(seen["pdf"])


@pytest.mark.django_db
def test_the_offer_shows_the_current_company_name_and_language(operator):
    offer = make_draft(
        operator, parts=[make_part(description_it="Filtro", description_en="Filter")]
    )
    profile = CompanyProfile.objects.get()
    profile.legal_name = "Alfa Service S.r.l."
    profile.save()
    offer.language = "it"
    italian = _text(offer_pdf(offer))
    profile.legal_name = "Beta Assistenza S.p.A."
    profile.save()
    offer.language = "en"
    english = _text(offer_pdf(offer))
    assert "Alfa Service S.r.l." in italian and "Offerta ricambi" in italian
    assert "Beta Assistenza S.p.A." in english and "Spare-part offer" in english
    assert "Alfa Service" not in english and "Offerta ricambi" not in english
    # The offer's stylesheet applies: the text is set in DejaVu Sans, headings in its bold.
    assert {"DejaVu-Sans", "DejaVu-Sans-Bold"} <= _fonts(offer_pdf(offer))


def test_the_deploy_check_warns_when_pdf_fonts_would_be_subset_slowly(monkeypatch):
    from weasyprint.text import ffi

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    (warning,) = portal_checks.check_pdf_font_subsetting()
    assert warning.id == "service_portal.W001" and "libharfbuzz-subset0" in warning.hint
    monkeypatch.setattr(ffi, "harfbuzz_subset", object())
    assert portal_checks.check_pdf_font_subsetting() == []


def test_the_documents_user_agent_stylesheet_leaves_out_only_the_notes_and_other_markers():
    """WeasyPrint's sheet as this version has it (an upgrade that changes it fails here: check the
    rules again), without the footnotes' and notes' rules, markers for list items only."""
    ours = pdf.user_agent_css(weasyprint_html.UA)
    assert ours is not None
    assert "::footnote" not in ours and "::note" not in ours
    assert "li::marker, summary::marker {" in ours
    stock = [line for line in weasyprint_html.UA.splitlines() if "::footnote" not in line]
    stock = [line for line in stock if "::note" not in line]
    assert ours.splitlines() == [
        line.replace("::marker {", "li::marker, summary::marker {", 1)
        if line.startswith("::marker {")
        else line
        for line in stock
    ]
    assert pdf.user_agent_css("p { color: red }") is None  # not WeasyPrint's: its own is used
    sheets = pdf.DocumentHTML(string="<p>x</p>")._ua_stylesheets()
    assert sheets == [pdf._user_agent_stylesheet()]
    assert weasyprint_html.UA_STYLESHEET not in sheets
    with_forms = pdf.DocumentHTML(string="<p>x</p>")._ua_stylesheets(forms=True)
    assert with_forms == [pdf._user_agent_stylesheet(), weasyprint_html.UA_FORM_STYLESHEET]


def test_lists_keep_their_markers_and_line_breaks_their_lines(document, tmp_path):
    html = (
        "<html><body><ul><li>Filtro</li></ul><ol><li>Cinghia</li></ol>"
        "<p>Via Roma 1<br>Milano</p></body></html>"
    )
    (tmp_path / "doc.html").write_text(html)
    text = _text(pdf.render_pdf("doc.html", {}, language="it", stylesheet="test/doc.css"))
    stock = _text(HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(document))]))
    assert text == stock
    assert "Via Roma 1\nMilano" in text and "•" in text and "1." in text
