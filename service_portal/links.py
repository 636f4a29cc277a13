"""``reverse()`` for links built on every row of a list.

Lists link each row to its record (``get_absolute_url``), often twice per row (the record and its
customer): 25 to 50 ``reverse()`` calls a page, each walking the URL resolver. ``reverse_ids``
reverses a URL name once with marker numbers for its integer arguments and then fills in the
ids; the result is the string ``reverse()`` returns.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_MARKERS = (918273645, 918273646, 918273647)
# (URL name, arguments, URLconf, script prefix, language) -> "/customers/{0}/"
_TEMPLATES: dict[tuple, str] = {}


def reverse_ids(viewname: str, *ids: int) -> str:
    """``reverse(viewname, args=ids)`` for URLs whose arguments are all integer ids."""
    if len(ids) > len(_MARKERS) or not all(type(i) is int and i >= 0 for i in ids):
        return reverse(viewname, args=ids)  # unsaved objects, odd values: Django's own errors
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    key = (viewname, len(ids), urlconf, get_script_prefix(), get_language())
    template = _TEMPLATES.get(key)
    if template is None:
        markers = [str(marker) for marker in _MARKERS[: len(ids)]]
        url = reverse(viewname, args=markers)
        if any(url.count(marker) != 1 for marker in markers):
            return reverse(viewname, args=ids)
        template = url.replace("{", "{{").replace("}", "}}")
        for position, marker in enumerate(markers):
            template = template.replace(marker, f"{{{position}}}")
        _TEMPLATES[key] = template
    return template.format(*ids)
