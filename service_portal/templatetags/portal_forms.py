"""``filter_field``: a list filter's field as Bootstrap markup, without crispy-forms.

The filter bars sit on the busiest pages (the lists, the call search); crispy renders each field
through several nested templates, which made up most of those pages' server time. This renders
the same markup (the classes, ids and error block crispy's Bootstrap 5 pack produces, so styles,
scripts and tests see no difference) in Python, widgets included: selects (whose options are one
template each in Django's renderer), plain inputs (text, number, date), textareas and hidden
inputs are written here with the same escaping as Django's templates; any other widget goes
through Django's form renderer. It serves the filter bars and the section forms of the call
management page (text, number, date, textarea, select and hidden fields; file inputs and
checkboxes stay with crispy).
tests/service_portal/test_filter_field.py compares both for every filter bar of the portal.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData, mark_safe

from service_portal import forms as portal_forms

register = template.Library()


@register.filter
def filter_field(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        # bare, as {{ form.field }} writes it (a submission token, a version)
        return _input(field, widget, {}) if type(widget) is forms.HiddenInput else field.as_widget()
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    classes = f"{type(widget).__name__.lower()} {css}"
    if widget.attrs.get("class"):
        classes = f"{widget.attrs['class']} {classes}"
    attrs = {"class": classes}
    errors = field.errors
    if errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    error_block = (
        format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, field.auto_id, error) for n, error in enumerate(errors, start=1)),
            ),
        )
        if errors
        else ""
    )
    required = field.field.required
    label = (
        format_html(
            '<label for="{}" class="form-label{}">{}{}</label>',
            field.id_for_label,
            " requiredField" if required else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
        if field.label
        else ""
    )
    help_text = (
        format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
        )
        if field.help_text
        else ""
    )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        field.auto_id,
        label,
        _widget(field, widget, attrs),
        error_block,
        help_text,
    )


def _widget(field: forms.BoundField, widget: forms.Widget, attrs: dict[str, str]) -> str:
    if _plain_select(widget):
        return _select(field, widget, attrs)
    if type(widget) in _PLAIN_INPUTS:
        return _input(field, widget, attrs)
    if type(widget) is forms.Textarea:
        return _textarea(field, widget, attrs)
    return field.as_widget(attrs=attrs)


def _plain_select(widget: forms.Widget) -> bool:
    return isinstance(widget, forms.Select) and not widget.allow_multiple_selected


# Widgets rendered by django/forms/widgets/input.html alone (no subwidgets, no extra markup).
_PLAIN_INPUTS = (
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    portal_forms.DateInput,
    portal_forms.DateTimeInput,
    portal_forms.TimeInput,
)


def _text(value: Any) -> str:
    """``{{ value }}`` in a template: escaped unless already safe."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps safe strings safe, escapes the rest."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: in order, False left out, True as a bare name."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _context(field: forms.BoundField, widget: forms.Widget, attrs: dict[str, str]) -> dict:
    """The ``widget`` context Django's widget templates render, with the attributes
    ``BoundField.as_widget`` builds (the id included)."""
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget.get_context(field.html_name, field.value(), attrs)["widget"]


def _input(field: forms.BoundField, widget: forms.Input, attrs: dict[str, str]) -> str:
    """The same ``<input>`` as django/forms/widgets/input.html."""
    context = _context(field, widget, attrs)
    value = context["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return mark_safe(  # noqa: S308 - every part is escaped above
        f'<input type="{_text(context["type"])}" name="{_text(context["name"])}"{shown}'
        f"{_attrs(context['attrs'])}>"
    )


def _textarea(field: forms.BoundField, widget: forms.Textarea, attrs: dict[str, str]) -> str:
    """The same ``<textarea>`` as django/forms/widgets/textarea.html (its line break too)."""
    context = _context(field, widget, attrs)
    value = context["value"]
    return mark_safe(  # noqa: S308 - every part is escaped here
        f'<textarea name="{_text(context["name"])}"{_attrs(context["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def _option(option: dict[str, Any]) -> str:
    attrs = option["attrs"]
    shown = "" if not attrs else " selected" if attrs == {"selected": True} else _attrs(attrs)
    return f'<option value="{_text(option["value"])}"{shown}>{_text(option["label"])}</option>'


def _select(field: forms.BoundField, widget: forms.Select, attrs: dict[str, str]) -> str:
    """The same ``<select>`` as Django's template, options written in one pass."""
    if isinstance(field.field, forms.ModelChoiceField):
        # One plain SELECT instead of the iterator's server-side cursor (DECLARE, FETCH, CLOSE),
        # on the field's own queryset (each form's field has its own copy): a view that read
        # the same records for something else (the call search's type names) reads them once.
        model_field = field.field
        choices = [("", model_field.empty_label)] if model_field.empty_label is not None else []
        widget.choices = choices + [
            (model_field.prepare_value(obj), model_field.label_from_instance(obj))
            for obj in model_field.queryset
        ]
    context = _context(field, widget, attrs)
    # Django's optgroups() makes each ungrouped option a group of its own: those are written
    # as their option alone, in one join (no format_html per option); only named groups are
    # wrapped.
    groups = []
    for group_name, options, _index in context["optgroups"]:
        html = "".join(_option(option) for option in options)
        if group_name:
            html = f'<optgroup label="{_text(group_name)}">{html}</optgroup>'
        groups.append(html)
    name, attributes = _text(context["name"]), _attrs(context["attrs"])
    return mark_safe(  # noqa: S308 - every part is escaped above
        f'<select name="{name}"{attributes}>{"".join(groups)}</select>'
    )
