"""Amounts of money written the way the reader's language writes them.

One convention per language (documents and e-mails use it; see docs/i18n.md):
Italian, German and Spanish ``1.234,50 €``, French ``1 234,50 €`` (no-break space between
thousands), English ``€1,234.50``. The number comes from Django's own locale formats, so the
separators are those of the active language; the symbol goes after the amount, separated by a
no-break space, everywhere but in English, where it leads.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, translation

from service_portal.money import amount_input

register = template.Library()

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
NBSP = "\xa0"
SYMBOL_FIRST = {"en"}


def format_money(value, currency: str = "EUR", language: str | None = None) -> str:
    """``Decimal("1234.5")`` -> ``"1.234,50 €"`` in Italian, ``"€1,234.50"`` in English."""
    if value is None or value == "":
        return ""
    amount = amount_input(value)
    if amount is None:
        return str(value)
    language = (language or translation.get_language() or "it").split("-")[0]
    with translation.override(language):
        number = formats.number_format(abs(amount), 2, use_l10n=True, force_grouping=True)
    code = (currency or "EUR").upper()
    symbol = SYMBOLS.get(code, code)
    sign = "-" if amount < 0 else ""
    if language in SYMBOL_FIRST:
        glue = "" if len(symbol) == 1 else NBSP
        return f"{sign}{symbol}{glue}{number}"
    return f"{sign}{number}{NBSP}{symbol}"


@register.filter
def money(value, currency: str = "EUR") -> str:
    """``{{ invoice.total|money }}``, ``{{ quote.total|money:quote.currency }}``."""
    return format_money(value, currency)


# The block of each language and its formats, made once per process: every page carries it.
_DATEPICKER_LOCALES: dict[tuple[str | None, str, object], str] = {}


@register.simple_tag
def datepicker_locale():
    """The calendar's words and formats in the reader's language, for static/js/portal.js:
    a ``<script type="application/json">`` block (data, never run: the CSP allows it)."""
    from service_portal.forms import date_input_format

    key = (
        translation.get_language(),
        date_input_format(),
        formats.get_format("FIRST_DAY_OF_WEEK"),
    )
    block = _DATEPICKER_LOCALES.get(key)
    if block is None:
        block = _DATEPICKER_LOCALES[key] = _datepicker_locale()
    return block


def _datepicker_locale() -> str:
    from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
    from django.utils.html import json_script
    from django.utils.translation import pgettext

    from service_portal.forms import date_input_format

    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # Django counts from Monday, the calendar from Sunday
    days = [str(WEEKDAYS[i]) for i in sunday_first]
    short = [str(WEEKDAYS_ABBR[i]) for i in sunday_first]
    data = {
        "days": days,
        "daysShort": short,
        "daysMin": [day[:2] for day in short],
        "months": [str(MONTHS[i]) for i in range(1, 13)],
        "monthsShort": [str(MONTHS_3[i]).capitalize() for i in range(1, 13)],
        "today": pgettext("calendar", "Today"),
        "clear": pgettext("calendar", "Clear"),
        "dateFormat": date_input_format()
        .replace("%d", "dd")
        .replace("%m", "MM")
        .replace("%Y", "yyyy"),
        "timeFormat": "HH:mm",
        "firstDay": int(formats.get_format("FIRST_DAY_OF_WEEK")),
    }
    return json_script(data, "datepicker-locale")


@register.filter
def duration(hours) -> str:
    """A span of hours as a person reads it: ``14.5 h`` under a day, ``13 days 21 h`` (whole
    hours) from a day up, never ``332.5 h``."""
    from django.utils.translation import gettext, ngettext

    if hours is None or hours == "":
        return ""
    try:
        value = Decimal(str(hours))
    except InvalidOperation:
        return str(hours)
    if abs(value) < 24:
        return gettext("%(hours)s h") % {"hours": formats.number_format(value, 1, use_l10n=True)}
    total = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    days, rest = divmod(total, 24)
    text = ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    if rest:
        text = f"{text} {gettext('%(hours)s h') % {'hours': rest}}"
    return text
