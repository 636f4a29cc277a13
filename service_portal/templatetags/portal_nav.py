"""``{% nav_menu %}``: the role's menu in the top bar, rendered once per process and reused;
``{% user_menu %}``, ``{% offline_block %}`` and ``{% language_switcher %}``: the rest of the
top bar, the same way, with the request's own values put in their slots; ``{% keep %}``: any
other part of the layout that is the same for every request with the same language.

The menu depends on the role, the language (labels and URLs), the URLconf and script prefix and
on which top-level entry is the current page; nothing else. Each signed-in page used to render
its 20-odd entries again (a tenth of the signed-in floor's time): now the HTML is kept per those
keys, so a role or language change simply reads another key, and a code change (a new entry)
comes with a new process. With DEBUG on the menu is rendered on every page, so an edited
template shows at once.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
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


# --- The rest of the signed-in top bar and layout: kept with slots filled in per request ------

# A slot in a kept fragment: rendered in place of a per-request value, then cut out.
_SLOT = "\x00slot:{}\x00"
_SLOT_RE = re.compile("\x00slot:(\\w+)\x00")
# (fragment, its key...) -> the fragment's HTML split at its slots: [text, slot, text, ...]
_FRAGMENTS: dict[tuple, list[str]] = {}


def _kept_fragment(key: tuple, template: str, context: dict[str, Any], slots: dict[str, str]):
    """The HTML of ``template`` rendered with ``context`` (the same for every request with this
    key) and with each slot's value (already escaped) put where ``{{ slot }}`` stood."""
    parts = None if settings.DEBUG else _FRAGMENTS.get(key)
    if parts is None:
        markers = {name: _SLOT.format(name) for name in slots}
        parts = _SLOT_RE.split(render_to_string(template, {**context, **markers}))
        if not settings.DEBUG:
            _FRAGMENTS[key] = parts
    # parts alternate between kept text (even positions) and slot names (odd positions).
    return mark_safe(  # noqa: S308 - a template with autoescaping on, escaped values in its slots
        "".join(slots[part] if odd else part for odd, part in _alternate(parts))
    )


def _alternate(parts: list[str]):
    return ((index % 2 == 1, part) for index, part in enumerate(parts))


def _csrf_input(context: template.Context) -> str:
    """What ``{% csrf_token %}`` prints: the hidden field with the request's token, or nothing."""
    token = context.get("csrf_token")
    if token and token != "NOTPROVIDED":  # noqa: S105 - Django's "no CSRF" marker
        field = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        return str(format_html(field, token))
    return ""


@register.simple_tag(takes_context=True)
def user_menu(context: template.Context) -> SafeString:
    """The signed-in top bar's user menu: kept per role, staff flag, onboarding, URLconf, script
    prefix and language; the user's name and the CSRF field are the request's own."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return mark_safe("")  # noqa: S308 - a constant empty string
    key = ("user_menu", user.role, user.is_staff, user.must_onboard, *url_context())
    return _kept_fragment(
        key,
        "portal/user_menu.html",
        {
            "role_label": user.get_role_display(),
            "is_staff": user.is_staff,
            "must_onboard": user.must_onboard,
        },
        {"user_name": str(conditional_escape(user)), "csrf_input": _csrf_input(context)},
    )


@register.simple_tag(takes_context=True)
def language_switcher(context: template.Context) -> SafeString:
    """The language switch of every page's top bar (portal/language_switcher.html): kept per
    URLconf, script prefix and language; the CSRF field and the page to come back to are the
    request's own."""
    request = context.get("request")
    next_path = request.get_full_path() if request is not None else ""
    return _kept_fragment(
        ("language_switcher", *url_context()),
        "portal/language_switcher.html",
        {},
        {"csrf_input": _csrf_input(context), "next_path": str(conditional_escape(next_path))},
    )


@register.simple_tag
def offline_block() -> SafeString:
    """The offline banner, outbox and entry template (portal/offline.html): kept per language,
    with the time this copy of the page was made filled in per request."""
    tzinfo = timezone.get_current_timezone() if settings.USE_TZ else None
    saved_at = date_filter(datetime.datetime.now(tz=tzinfo), "H:i")
    return _kept_fragment(
        ("offline", *url_context()),
        "portal/offline.html",
        {},
        {"saved_at": str(conditional_escape(saved_at))},
    )


# --- {% keep %}: a part of the layout rendered once per process ---------------------------------

# (template, position in it, URLconf, script prefix, language, STATIC_URL, values) -> its HTML
_KEPT_BLOCKS: dict[tuple, SafeString] = {}


class KeepNode(template.Node):
    def __init__(self, nodelist: template.NodeList, place: tuple, vary_on: list) -> None:
        self.nodelist = nodelist
        self.place = place
        self.vary_on = vary_on

    def render(self, context: template.Context) -> SafeString:
        if settings.DEBUG:
            return mark_safe(self.nodelist.render(context))  # noqa: S308 - a rendered template
        values = tuple(value.resolve(context) for value in self.vary_on)
        key = (*self.place, *url_context(), settings.STATIC_URL, *values)
        html = _KEPT_BLOCKS.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))  # noqa: S308 - a rendered template
            _KEPT_BLOCKS[key] = html
        return html


@register.tag
def keep(parser: template.base.Parser, token: template.base.Token) -> KeepNode:
    """``{% keep value... %}...{% endkeep %}``: what stands between the tags is rendered once per
    process for each URLconf, script prefix, language, static URL and the given values, then
    reused (with DEBUG on, on every request). Only for markup that depends on nothing else: static
    URLs, reversed URLs, translated words. Never the request, the user, a CSRF token or a form.
    For templates kept in files (a template built from a string has no file to tell it apart).

    Django's ``{% cache %}`` tag was not taken: it reads a cache backend (in production Redis, a
    round trip for each fragment, which is what keeping them saves) and would be a second way to
    keep layout parts beside the fragments above."""
    bits = token.split_contents()[1:]
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    # Where the tag stands: its template file, line and rank among the template's keep tags.
    rank = getattr(parser, "_portal_keep_rank", 0)
    parser._portal_keep_rank = rank + 1  # type: ignore[attr-defined]
    place = (getattr(parser.origin, "name", ""), token.lineno, rank)
    return KeepNode(nodelist, place, [parser.compile_filter(bit) for bit in bits])
