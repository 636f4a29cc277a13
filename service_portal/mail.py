"""E-mails rendered from templates in the recipient's language.

A message is three templates: ``<name>_subject.txt``, ``<name>.txt`` and optionally
``<name>.html``. Callers inside a transaction queue the sending with ``transaction.on_commit`` or a
background task (``service_portal.tasks``) so nothing is sent for work that rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

Attachment = tuple[str, bytes, str]  # filename, content, MIME type


def build_email(
    *,
    template: str,
    context: dict[str, Any],
    to: Sequence[str],
    language: str,
    attachments: Iterable[Attachment] = (),
    reply_to: Sequence[str] | None = None,
) -> EmailMultiAlternatives:
    context = {"company_name": settings.COMPANY_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
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
