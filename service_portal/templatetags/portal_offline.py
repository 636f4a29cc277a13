"""``{% offline_config as config %}``: what static/js/offline.js needs from the server, for a
JSON script tag (the Content-Security-Policy runs no inline script; a JSON block is data).

Everything but the user's id is the same for every request with the same URLconf, script prefix,
language and static URL: it is kept per process under those keys (URLs do not change at run
time)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from service_portal.links import url_context

register = template.Library()

# (URLconf, script prefix, language, STATIC_URL) -> the configuration without the user
_KEPT: dict[tuple, dict[str, Any]] = {}


def _constant_part() -> dict[str, Any]:
    prefix = (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
    )
    return {
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


@register.simple_tag(takes_context=True)
def offline_config(context: Any) -> dict[str, Any]:
    user = context["request"].user
    key = (*url_context(), settings.STATIC_URL)
    constant = None if settings.DEBUG else _KEPT.get(key)
    if constant is None:
        constant = _constant_part()
        if not settings.DEBUG:
            _KEPT[key] = constant
    return {"user": user.pk, **constant}
