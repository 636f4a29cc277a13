"""``get_FOO_display()`` without translating every choice on every call.

Django's ``Model._get_FIELD_display`` builds a dict of the field's choices on each call, hashing
each lazy label, which translates it: the country column of a 25-row list translated the 33
country names 25 times (about a third of the customer and site lists' server time). Models that
show choice labels in lists inherit ``CachedChoiceLabels``: the labels are translated once per
field and language and looked up from then on. The result is the same string Django returns.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

# (field, language) -> {value: label}; fields and their choices are fixed once models load.
_LABELS: dict[tuple[int, str | None], dict[Any, Any]] = {}


def choice_labels(field: models.Field) -> dict[Any, Any]:
    """The field's choices as {value: translated label} in the active language."""
    key = (id(field), get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {
            make_hashable(value): force_str(label, strings_only=True)
            for value, label in field.flatchoices
        }
        _LABELS[key] = labels
    return labels


class CachedChoiceLabels:
    """Mixin for models: ``get_FOO_display()`` reads the cached labels (see module doc)."""

    def _get_FIELD_display(self, field: models.Field) -> Any:
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)
