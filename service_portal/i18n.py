"""The portal's languages and the helpers that translated master data shares.

Master data (intervention types, rates, spare parts, products, terms, secret questions) has one
column per language (django-modeltranslation: ``name_it``, ``name_en``, ``name_de``...). The
reader sees their language's text, else the Italian one, else the English one (settings).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def language_codes() -> list[str]:
    """The codes of the portal's languages, Italian (the default) first."""
    return [code for code, _name in settings.LANGUAGES]


def localized_fields(field: str) -> list[str]:
    """``description`` -> ``["description_it", "description_en", "description_de", ...]``."""
    return [f"{field}_{code}" for code in language_codes()]


def translations(field: str, texts: dict[str, str]) -> dict[str, str]:
    """Model keyword arguments for one translated field: ``{"name_it": ..., "name_de": ...}``.

    ``texts`` maps language codes to texts; the plain field gets the Italian text, the one
    modeltranslation shows when nothing else is set.
    """
    values = {f"{field}_{code}": text for code, text in texts.items() if text}
    if "it" in texts:
        values[field] = texts["it"]
    return values


# Labels of the per-language columns of a translated description, for the portal's own forms.
DESCRIPTION_LABELS = {
    "it": _("Description (Italian)"),
    "en": _("Description (English)"),
    "de": _("Description (German)"),
    "fr": _("Description (French)"),
    "es": _("Description (Spanish)"),
}


def label_description_fields(form, field: str = "description") -> None:
    """Give a form's ``<field>_<lang>`` inputs readable labels; Italian is required."""
    for code in language_codes():
        name = f"{field}_{code}"
        if name in form.fields:
            form.fields[name].label = DESCRIPTION_LABELS.get(code, name)
    if f"{field}_it" in form.fields:
        form.fields[f"{field}_it"].required = True


def described(obj, field: str = "description") -> list[tuple[str, str]]:
    """``[(label, text), ...]`` for every language, for a detail page."""
    return [
        (DESCRIPTION_LABELS.get(code, code), getattr(obj, f"{field}_{code}") or "")
        for code in language_codes()
    ]


def translated_value(model, field: str, values: dict, path: str | None = None) -> str:
    """A translated field read from a ``values()`` row, as the model's attribute would read it.

    ``values`` holds the field's per-language columns (``localized_fields``) under ``path``
    (``product__description``: ``product__description_it``, ...; ``field`` by default). The
    text is chosen by modeltranslation's own descriptor (the reader's language, then the
    fallbacks, skipping empty translations), so a list read as values shows what the model
    instance shows."""
    path = path or field
    holder = SimpleNamespace(
        **{f"{field}_{code}": values[f"{path}_{code}"] for code in language_codes()}
    )
    return model.__dict__[field].__get__(holder, model)
