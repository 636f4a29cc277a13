"""Amounts of money written the way the reader's language writes them.

One convention per language (documents and e-mails use it; see docs/i18n.md):
Italian, German and Spanish ``1.234,50 €``, French ``1 234,50 €`` (no-break space between
thousands), English ``€1,234.50``. The number comes from Django's own locale formats, so the
separators are those of the active language; the symbol goes after the amount, separated by a
no-break space, everywhere but in English, where it leads.
"""

from __future__ import annotations

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
