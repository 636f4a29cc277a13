"""Search-as-you-type pickers for choice fields with many rows (customers, spare parts, ...).

``PickerSelect`` is the widget of a ``ModelChoiceField``: the page holds only the chosen row as
the select's option (not thousands of them) and, above it, a search box. Typing asks
``search_url`` (htmx, 300 ms after the last key) for the matching rows, rendered by
``picker_results``; choosing one sets the select and fires its ``change`` event (portal.js), so a
form that reloads its dependent fields on change (the offer wizard) works as with a plain select.
The field's queryset still validates what is posted: a picker only changes how a row is found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from service_portal.forms import parse_id

MIN_CHARACTERS = 2
LIMIT = 15


class PickerSelect(forms.Select):
    template_name = "portal/widgets/picker.html"

    def __init__(self, search_url_name: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.search_url_name = search_url_name

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse(self.search_url_name)
        return context

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None):
        """Only the empty choice and the chosen row: one query, whatever the table's size."""
        choices = self.choices
        field = getattr(choices, "field", None)
        if field is None:  # plain choices: behave like a select
            return super().optgroups(name, value, attrs)
        options = []
        if field.empty_label is not None:
            options.append(("", field.empty_label))
        ids = [pk for pk in (parse_id(v) for v in value) if pk is not None]
        if ids:
            for row in choices.queryset.filter(pk__in=ids[:1]):
                options.append((str(row.pk), field.label_from_instance(row)))
        selected = {str(v) for v in value}
        return [
            (
                None,
                [self.create_option(name, key, label, key in selected, index, attrs=attrs)],
                index,
            )
            for index, (key, label) in enumerate(options)
        ]


def search_text(request: HttpRequest) -> str:
    return request.GET.get("q", "").replace("\x00", "").strip()[:100]


def picker_results(
    request: HttpRequest, q: str, rows: Iterable[tuple[Any, str, str]]
) -> HttpResponse:
    """The rows found for ``q`` as choices of the picker: (id, label, detail) each."""
    return render(
        request,
        "portal/widgets/picker_results.html",
        {"q": q, "rows": list(rows), "min_characters": MIN_CHARACTERS},
    )
