"""``filter_field``: a list filter's field as Bootstrap markup, without crispy-forms.

The filter bars sit on the busiest pages (the lists, the call search); crispy renders each field
through several nested templates, which made up most of those pages' server time. This renders
the same markup (the classes, ids and error block crispy's Bootstrap 5 pack produces, so styles,
scripts and tests see no difference) in Python; only the widget itself goes through Django's
form renderer, except selects, whose options (one template each in Django's renderer) are
written here too. It serves the filter bars and the section forms of the call management page
(text, number, date, textarea and select fields; file inputs and checkboxes stay with crispy).
"""

from __future__ import annotations

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def filter_field(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return field.as_widget()
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
        _select(field, widget, attrs) if _plain_select(widget) else field.as_widget(attrs=attrs),
        error_block,
        help_text,
    )


def _plain_select(widget: forms.Widget) -> bool:
    return isinstance(widget, forms.Select) and not widget.allow_multiple_selected


def _select(field: forms.BoundField, widget: forms.Select, attrs: dict[str, str]) -> str:
    """The same ``<select>`` as Django's template, options written in one pass."""
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    if isinstance(field.field, forms.ModelChoiceField):
        # One plain SELECT instead of the iterator's server-side cursor (DECLARE, FETCH, CLOSE).
        model_field = field.field
        choices = [("", model_field.empty_label)] if model_field.empty_label is not None else []
        widget.choices = choices + [
            (model_field.prepare_value(obj), model_field.label_from_instance(obj))
            for obj in model_field.queryset.all()
        ]
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    groups = []
    for group_name, options, _index in context["optgroups"]:
        html = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((option["value"], flatatt(option["attrs"]), option["label"]) for option in options),
        )
        groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html))
        if not group_name:
            groups[-1] = html
    return format_html(
        '<select name="{}"{}>{}</select>',
        context["name"],
        flatatt(context["attrs"]),
        format_html_join("", "{}", ((group,) for group in groups)),
    )
