"""``reverse()`` once for links built on every row of a list or every cell of a calendar.

Lists link each row to its record (``get_absolute_url``), often twice per row (the record and its
customer): 25 to 50 ``reverse()`` calls a page, each walking the URL resolver; the planner's
month has 1,500 day links. ``url_pattern`` reverses a URL name once with marker arguments and
returns it as a ``str.format`` pattern (``"/planner/day/{0}/{1}/"``); ``reverse_ids`` fills such a
pattern with ids. The result is the string ``reverse()`` returns.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

ID_MARKERS = (918273645, 918273646, 918273647)
DAY_MARKER = "0000-00-00"  # a day argument (the planner's URLs take ISO dates)
# (URL name, markers, URLconf, script prefix, language) -> "/customers/{0}/"
_PATTERNS: dict[tuple, str] = {}


def url_context() -> tuple[str, str, str | None]:
    """What a reversed URL depends on besides its name and arguments (the URLconf, the script
    prefix, the language): the key of anything that keeps reversed URLs between requests."""
    return (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())


def url_pattern(viewname: str, *markers: int | str) -> str:
    """``reverse(viewname, args=markers)`` with each marker replaced by ``{0}``, ``{1}``...

    Each marker must stand exactly once in the URL (ValueError otherwise)."""
    key = (viewname, markers, *url_context())
    pattern = _PATTERNS.get(key)
    if pattern is None:
        url = reverse(viewname, args=markers)
        texts = [str(marker) for marker in markers]
        if any(url.count(text) != 1 for text in texts):
            raise ValueError(f"The markers of {viewname!r} are not each once in {url!r}.")
        pattern = url.replace("{", "{{").replace("}", "}}")
        for position, text in enumerate(texts):
            pattern = pattern.replace(text, f"{{{position}}}")
        _PATTERNS[key] = pattern
    return pattern


def reverse_ids(viewname: str, *ids: int) -> str:
    """``reverse(viewname, args=ids)`` for URLs whose arguments are all integer ids."""
    if len(ids) > len(ID_MARKERS) or not all(type(i) is int and i >= 0 for i in ids):
        return reverse(viewname, args=ids)  # unsaved objects, odd values: Django's own errors
    try:
        pattern = url_pattern(viewname, *ID_MARKERS[: len(ids)])
    except ValueError:
        return reverse(viewname, args=ids)
    return pattern.format(*ids)
