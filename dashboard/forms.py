"""The dashboard's filters: a period (with presets), customer, technician, intervention type.

Submitted by GET, so a filtered dashboard is a link that can be bookmarked or shared; the CSV
download takes the same parameters.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.forms import TechnicianChoiceField, active_technicians
from calls.models import InterventionType
from customers.models import Customer
from dashboard.statistics import Filters
from service_portal.forms import DateInput

ANY = pgettext_lazy("dashboard filter", "Any")
# Far enough for any real history; keeps "the day after date_to" away from date overflow.
EARLIEST, LATEST = datetime.date(1990, 1, 1), datetime.date(2199, 12, 31)


@dataclass(frozen=True)
class Preset:
    key: str
    label: str | Promise
    date_from: datetime.date
    date_to: datetime.date


def presets(today: datetime.date) -> list[Preset]:
    """The periods offered as one-click links above the form."""
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - datetime.timedelta(days=1)
    return [
        Preset("last_30_days", _("Last 30 days"), today - datetime.timedelta(days=29), today),
        Preset("this_month", _("This month"), first_of_month, today),
        Preset("last_month", _("Last month"), last_month_end.replace(day=1), last_month_end),
        Preset("this_year", _("This year"), today.replace(month=1, day=1), today),
        Preset(
            "last_year",
            _("Last year"),
            datetime.date(today.year - 1, 1, 1),
            datetime.date(today.year - 1, 12, 31),
        ),
    ]


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=29), today


class QuickSelect(forms.Select):
    """A select whose options are written here rather than through a template each: the
    dashboard's technician list rendered option by option (Django's widget templates) took a
    third of the page's time once its figures came from the cache. Same markup, no option
    groups (these lists have none)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if key in chosen else "", label)
                for key, label in ((str(v), label) for v, label in self.choices)
            ),
        )
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(attrs), options)


class DashboardFilterForm(forms.Form):
    # The classes crispy-forms gave these fields: the page writes them itself
    # (dashboard/filter_field.html).
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=DateInput({"class": "dateinput form-control"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=DateInput({"class": "dateinput form-control"}),
    )
    # Chosen with the search-as-you-type picker: the page only carries the customer's number.
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("That customer does not exist.")},
    )
    technician = TechnicianChoiceField(
        label=_("Technician"),
        queryset=active_technicians(),
        required=False,
        empty_label=ANY,
        widget=QuickSelect({"class": "select form-select"}),
    )
    intervention_type = forms.ModelChoiceField(
        label=_("Intervention type"),
        queryset=InterventionType.objects.all(),
        required=False,
        empty_label=ANY,
        widget=QuickSelect({"class": "select form-select"}),
    )

    def __init__(self, data=None, *, today: datetime.date | None = None, **kwargs) -> None:
        self.today = today or timezone.localdate()
        start, end = default_period(self.today)
        super().__init__(data, **kwargs)
        # Empty dates mean the default period; showing it keeps the form honest.
        self.fields["date_from"].widget.attrs["placeholder"] = start.isoformat()
        self.fields["date_to"].widget.attrs["placeholder"] = end.isoformat()

    def full_clean(self) -> None:
        super().full_clean()
        # Marked as crispy-forms marks a field in error (the page writes the fields itself).
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs = {
                    **widget.attrs,
                    "class": f"{widget.attrs.get('class', '')} is-invalid".strip(),
                    "aria-invalid": "true",
                    "aria-describedby": f"id_{name}_error",
                }

    def clean(self):
        data = super().clean()
        start, end = default_period(self.today)
        data["date_from"] = data.get("date_from") or (
            start if "date_from" not in self.errors else None
        )
        data["date_to"] = data.get("date_to") or (end if "date_to" not in self.errors else None)
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Choose a date between %(first)s and %(last)s.")
                    % {"first": EARLIEST.year, "last": LATEST.year},
                )
        if (
            data.get("date_from")
            and data.get("date_to")
            and not self.has_error("date_from")
            and not self.has_error("date_to")
            and data["date_from"] > data["date_to"]
        ):
            self.add_error("date_to", _("The end date comes before the start date."))
        return data

    def filters(self) -> Filters:
        """The validated filters (call after ``is_valid()`` returned True)."""
        data = self.cleaned_data
        return Filters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            customer=data.get("customer"),
            technician=data.get("technician"),
            intervention_type=data.get("intervention_type"),
        )
