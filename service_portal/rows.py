"""``TemplateRow``: the rows a list builds for its template, read by it without an exception.

A template variable ``{{ row.name }}`` first tries ``row["name"]`` and only when that raises
(TypeError, on an object that is not a mapping) reads the attribute. A list of 25 rows of a
dozen cells raised and caught some 300 exceptions a page; a row whose ``row["name"]`` is its
attribute is read on the first try, as fast as a dict (about a third less rendering time for
those cells). The rows stay typed, frozen dataclasses: the subscript is for templates only.
"""

from __future__ import annotations

from typing import Any


class TemplateRow:
    """Base of a row dataclass (``@dataclass(frozen=True, slots=True)``) shown by a template."""

    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        # Only names: a number or a missing name raises what a template expects (TypeError,
        # AttributeError) and it goes on to its other lookups.
        return getattr(self, name)
