"""``{% warranty_badge unit %}``: a unit's warranty as a badge, built in Python.

A list shows one per row; an include with two ``blocktranslate`` and a ``date`` filter cost
the unit list most of its rendering time. The markup and the translations are those the
template had: the translated sentence as it is (like ``blocktranslate``), the date escaped.
"""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from customers.models import Unit

register = template.Library()


def _badge(style: str, text: str) -> SafeString:
    return mark_safe(f'<span class="badge text-bg-{style}">{text}</span>')  # noqa: S308 - see below


@register.simple_tag
def warranty_badge(unit: Unit) -> SafeString:
    # The sentences come from the catalogues (trusted, as in a template); the date is escaped.
    if unit.warranty_end is None:
        return _badge("light", escape(gettext("No warranty")))
    date = escape(date_format(unit.warranty_end, "SHORT_DATE_FORMAT"))
    if unit.under_warranty():
        return _badge("success", gettext("Under warranty until %(date)s") % {"date": date})
    return _badge("secondary", gettext("Warranty ended %(date)s") % {"date": date})
