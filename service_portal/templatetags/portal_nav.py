"""``{% nav_menu %}``: the role's menu in the top bar, rendered once per process and reused.

The menu depends on the role, the language (labels and URLs), the URLconf and script prefix and
on which top-level entry is the current page; nothing else. Each signed-in page used to render
its 20-odd entries again (a tenth of the signed-in floor's time): now the HTML is kept per those
keys, so a role or language change simply reads another key, and a code change (a new entry)
comes with a new process. With DEBUG on the menu is rendered on every page, so an edited
template shows at once.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from service_portal.links import url_context
from service_portal.navigation import items_for

register = template.Library()

TEMPLATE = "portal/nav_menu.html"
# (role, onboarding, URLconf, script prefix, language, current entry's URL or "") -> the menu's HTML
_RENDERED: dict[tuple, SafeString] = {}


def _top_level_urls(groups: list[dict[str, Any]]) -> set[str]:
    """URLs shown as top-level entries: only those are marked as the current page."""
    return {
        item["url"]
        for group in groups
        if len(group["items"]) == 1 or not group["label"]
        for item in group["items"]
    }


@register.simple_tag(takes_context=True)
def nav_menu(context: template.Context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return mark_safe("")  # noqa: S308 - a constant empty string
    groups = items_for(user)
    path = request.path if request is not None else ""
    active = path if path in _top_level_urls(groups) else ""
    key = (user.role, user.must_onboard, *url_context(), active)
    html = None if settings.DEBUG else _RENDERED.get(key)
    if html is None:
        html = mark_safe(  # noqa: S308 - the output of a template with autoescaping on
            render_to_string(TEMPLATE, {"nav_groups": groups, "active": active})
        )
        if not settings.DEBUG:
            _RENDERED[key] = html
    return html
