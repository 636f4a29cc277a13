"""``{% warranty_badge unit %}``: a unit's warranty as a badge, built in Python.

A list shows one per row; an include with two ``blocktranslate`` and a ``date`` filter was the
larger part of the unit list's rendering. The markup and the translations are those the
template had: the translated sentence as it is (like ``blocktranslate``), the date escaped.
The unit is a model instance, a row of the unit list or a line of the customer and site pages
(``customers.list_rows.UnitRow``, ``UnitLine``): the badge reads its ``warranty_end`` only.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from customers.list_rows import UnitLine, UnitRow
from customers.models import Unit, warranty_covers

register = template.Library()


@lru_cache(maxsize=4096)
def _short_date(language: str | None, pattern: str, day: datetime.date) -> str:
    """``day|date:"SHORT_DATE_FORMAT"``, escaped. Formatting a date parses its pattern each
    time (some 25 µs); a list repeats few dates, so the results are kept, per language and
    pattern (the pattern comes from Django's own format lookup, so a changed format is a new
    key)."""
    return escape(format_date(day, pattern))


def _badge(style: str, text: str) -> SafeString:
    # The sentences come from the catalogues (trusted, as in a template); the date is escaped.
    return mark_safe(f'<span class="badge text-bg-{style}">{text}</span>')  # noqa: S308


@register.simple_tag(takes_context=True)
def warranty_badge(context: template.Context, unit: Unit | UnitRow | UnitLine) -> SafeString:
    if unit.warranty_end is None:
        return _badge("light", escape(gettext("No warranty")))
    today = context.render_context.get("customers_today")
    if today is None:
        today = context.render_context["customers_today"] = timezone.localdate()
    language = get_language()
    date = _short_date(language, get_format("SHORT_DATE_FORMAT", language), unit.warranty_end)
    if warranty_covers(unit.warranty_end, today):
        return _badge("success", gettext("Under warranty until %(date)s") % {"date": date})
    return _badge("secondary", gettext("Warranty ended %(date)s") % {"date": date})
