"""``{% state_badge state label %}``: calls/state_badge.html for list rows, rendered once per
state and label on a page instead of one include per row (the call search shows two per row)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def state_badge(context: template.Context, state: str, label: Any) -> SafeString:
    rendered = context.render_context.setdefault("calls_state_badges", {})
    key = (state, str(label))
    if key not in rendered:
        rendered[key] = render_to_string("calls/state_badge.html", {"state": state, "label": label})
    return rendered[key]
