"""E-mails rendered from templates in the recipient's language.

A message is three templates: ``<name>_subject.txt``, ``<name>.txt`` and optionally
``<name>.html``. The plain-text parts are rendered without HTML escaping (a customer called
"Rossi & Figli" must not read "Rossi &amp; Figli"); the HTML part is escaped like every page.
Every message can end with ``{% include "portal/email_signature.txt" %}``: the company's name,
address, VAT number and contacts from its profile (``company`` in the context).
Callers inside a transaction queue the sending with ``transaction.on_commit`` or a
background task (``service_portal.tasks``) so nothing is sent for work that rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

from service_portal.company import branding

Attachment = tuple[str, bytes, str]  # filename, content, MIME type


def render_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text template rendered as text: no HTML escaping of the values."""
    template = get_template(name)
    engine_template = getattr(template, "template", None)  # Django's own template language
    if engine_template is None:
        return template.render(context)
    return engine_template.render(Context(context, autoescape=False))


def build_email(
    *,
    template: str,
    context: dict[str, Any],
    to: Sequence[str],
    language: str,
    attachments: Iterable[Attachment] = (),
    reply_to: Sequence[str] | None = None,
) -> EmailMultiAlternatives:
    company = branding()
    context = {
        "company": company,
        "company_name": company.name,
        "site_url": settings.SITE_URL,
        **context,
    }
    with translation.override(language):
        subject = " ".join(render_text(f"{template}_subject.txt", context).split())
        body = render_text(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
        headers={"Content-Language": language},
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_email(**kwargs: Any) -> int:
    """Build and send at once; returns the number of messages sent (0 or 1)."""
    return build_email(**kwargs).send()
