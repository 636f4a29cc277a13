"""Documents and e-mails: real PDFs read back, mails rendered in the recipient's language."""

from __future__ import annotations

import io

from django.core import mail
from pypdf import PdfReader

from service_portal.mail import send_email
from service_portal.pdf import PortalURLFetcher, render_pdf


def test_render_pdf_in_the_requested_language(tmp_path, settings):
    _add_template_dir(settings, tmp_path)
    (tmp_path / "doc.html").write_text(
        '{% load i18n static %}<html><head><link rel="stylesheet" '
        'href="{% static "vendor/bootstrap/css/bootstrap.min.css" %}"></head>'
        '<body><h1>{% translate "Customers" %}</h1><p>{{ body }}</p></body></html>'
    )
    pdf = render_pdf("doc.html", {"body": "Hello <b>"}, language="it")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Clienti" in text
    assert "Hello <b>" in text


def test_the_pdf_fetcher_refuses_anything_but_the_portal_files():
    fetcher = PortalURLFetcher()
    for url in ("file:///etc/passwd", "http://example.com/x.png", "file:///media/../../etc/passwd"):
        try:
            fetcher.fetch(url)
        except ValueError:
            continue
        raise AssertionError(f"{url} was fetched")


def test_mail_is_rendered_in_the_recipient_language(tmp_path, settings):
    _add_template_dir(settings, tmp_path)
    (tmp_path / "hello_subject.txt").write_text('{% load i18n %}{% translate "Customers" %}')
    (tmp_path / "hello.txt").write_text("{{ company_name }}")
    send_email(
        template="hello",
        context={},
        to=["a@example.com"],
        language="it",
        attachments=[("x.pdf", b"%PDF-1.7", "application/pdf")],
    )
    (message,) = mail.outbox
    assert message.subject == "Clienti"
    assert message.attachments[0][0] == "x.pdf"
    assert message.extra_headers["Content-Language"] == "it"


def _add_template_dir(settings, path):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [path, *settings.TEMPLATES[0]["DIRS"]]}]


def test_plain_text_emails_are_not_html_escaped(settings, tmp_path):
    from service_portal.mail import build_email

    (tmp_path / "hello.txt").write_text("Dear {{ name }},")
    (tmp_path / "hello_subject.txt").write_text("Offer for {{ name }}")
    (tmp_path / "hello.html").write_text("<p>Dear {{ name }}</p>")
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], str(tmp_path)]
    settings.TEMPLATES = templates
    name = 'Rossi & Figli <b>"O\'Brien"</b>'
    message = build_email(template="hello", context={"name": name}, to=["a@x.it"], language="en")
    assert message.body == f"Dear {name},"
    assert message.subject == f"Offer for {name}"
    html = message.alternatives[0][0]
    assert "&lt;b&gt;" in html and "<b>" not in html
