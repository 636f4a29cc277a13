"""Form helpers shared by every app."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from service_portal import locking
from service_portal.idempotency import RecordForm, SubmissionTokenMixin

# Dates a person could mean in this business. Outside them (year 1 or 9999) date arithmetic
# (the day after, the next month, a week's span) overflows, so forms refuse them.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


def is_plausible_date(value: datetime.date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


def validate_plausible_date(value: datetime.date) -> None:
    if not is_plausible_date(value):
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="implausible_date",
            params={"first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
        )


class PlausibleDateField(forms.DateField):
    """A date field that refuses years no one means (see EARLIEST_DATE and LATEST_DATE)."""

    default_validators = [validate_plausible_date]


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def date_input_format() -> str:
    """How the reader's language writes a date in a form: ``%d/%m/%Y``, ``%d.%m.%Y`` (German)."""
    return formats.get_format("DATE_INPUT_FORMATS")[0]


def date_placeholder() -> str:
    """``dd/mm/yyyy`` in the reader's letters (``gg/mm/aaaa``, ``TT.MM.JJJJ``...)."""
    return (
        date_input_format()
        .replace("%d", pgettext("date placeholder", "dd"))
        .replace("%m", pgettext("date placeholder", "mm"))
        .replace("%Y", pgettext("date placeholder", "yyyy"))
    )


class DateInput(forms.DateInput):
    """A date shown and typed in the portal's format for the reader's language (``29/11/2026``,
    ``29.11.2026``) whatever the browser's locale, which a native date input would follow; the
    calendar beside it (static/js/portal.js, air-datepicker) writes the same format. ISO dates
    (``2026-11-29``, links and the API) are accepted too."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
            # A link's ISO date (?date_from=2026-11-29) is shown as the reader writes it.
            try:
                value = datetime.date.fromisoformat(value.strip())
            except ValueError:
                return value
        if isinstance(value, datetime.date):
            return value.strftime(date_input_format())
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {"placeholder": date_placeholder(), "data-picker": "date", **(attrs or {})}
        return super().get_context(name, value, attrs)


class DateTimeInput(forms.DateTimeInput):
    """A date and a 24-hour time, ``29/11/2026 14:30``, in the reader's date format."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str) and ISO_DATETIME.fullmatch(value.strip()):
            try:
                value = datetime.datetime.fromisoformat(value.strip())
            except ValueError:
                return value
        if isinstance(value, datetime.datetime):
            return value.strftime(f"{date_input_format()} %H:%M")
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        placeholder = f"{date_placeholder()} {pgettext('time placeholder', 'hh:mm')}"
        attrs = {"placeholder": placeholder, "data-picker": "datetime", **(attrs or {})}
        return super().get_context(name, value, attrs)


class TimeInput(forms.TimeInput):
    """A 24-hour time, ``14:30``, whatever the browser's locale (a native time input shows
    ``2:30 PM`` in an American browser)."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"inputmode": "numeric", "autocomplete": "off", "maxlength": 5, **(attrs or {})},
            format="%H:%M",
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {"placeholder": pgettext("time placeholder", "hh:mm"), **(attrs or {})}
        return super().get_context(name, value, attrs)


MAX_ID = 2**63 - 1  # the largest primary key the database holds (bigint)


def parse_id(value: Any) -> int | None:
    """A record id from the address or a form: ASCII digits within the database's range, or None.

    ``str.isdigit`` alone is not enough: it accepts "²" (int() fails) and numbers so large
    that the database driver overflows.
    """
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


MISSING_VERSION = _(
    "This form does not say which version of the record it changed, so nothing was saved. "
    "Reload the page to see the current data, then apply your changes again."
)


class VersionMixin(RecordForm):
    """An edit form's ``version``: the record's version when the page was loaded
    (``service_portal.locking``). Required: without it a stale edit would overwrite a newer one.
    A create form (``edits_record`` false) has none."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": MISSING_VERSION,
            "invalid": MISSING_VERSION,
            "min_value": MISSING_VERSION,
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.edits_record():
            del self.fields["version"]
        elif not self.is_bound and getattr(getattr(self, "instance", None), "pk", None):
            self.initial["version"] = self.instance.version  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and "version" in (self._errors or {}):
            # Shown above the form: a hidden field's error would read "(Hidden field ...)".
            del self._errors["version"]
            self.add_error(None, MISSING_VERSION)


class VersionedModelForm(SubmissionTokenMixin, VersionMixin, forms.ModelForm):
    """A model form that creates once (a submission token) and edits safely (the version).

    Refuses to overwrite a record that someone else saved after this form was opened: saving
    re-reads the row under lock and compares its version (``service_portal.locking``). The model
    is ``Versioned``.
    """

    conflict_message = locking.CONFLICT_MESSAGE

    def save(self, commit: bool = True) -> models.Model:
        if not commit or not self.instance.pk:
            return super().save(commit=commit)
        with transaction.atomic():
            current = (
                type(self.instance)
                .objects.select_for_update()
                .values_list("version", flat=True)
                .get(pk=self.instance.pk)
            )
            locking.check_value(current, self.cleaned_data["version"])
            return super().save(commit=True)


VersionConflict = locking.VersionConflict
