"""``{% offline_config as config %}``: what static/js/offline.js needs from the server, for a
JSON script tag (the Content-Security-Policy runs no inline script; a JSON block is data)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def offline_config(context: Any) -> dict[str, Any]:
    user = context["request"].user
    prefix = (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
    )
    return {
        "user": user.pk,
        "swUrl": reverse("service_worker"),
        # The planner lists the pages kept on the phone (service_portal imports no app: by name).
        "pagesUrl": reverse("planner:offline_pages"),
        "homeUrl": reverse("calls:my_interventions"),
        "staticPrefix": prefix,
        "logoutWarning": _(
            "%(count)s entries typed without signal have not been sent yet: logging out deletes "
            "them from this phone. Log out anyway?"
        ),
    }
