"""The filters of the maintenance overview; the rows come from ``calls.maintenance``."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from calls import maintenance
from calls.models import MaintenanceOccurrence
from service_portal.forms import parse_id
from service_portal.roles import Role

WEEKS_CHOICES = [
    ("2", _("2 weeks")),
    ("4", _("4 weeks")),
    ("8", _("8 weeks")),
    ("13", _("3 months")),
    ("26", _("6 months")),
]
OVERDUE_CHOICES = [("1", _("Overdue only"))]


class MaintenanceDueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), max_length=100, method="ignore")
    weeks = django_filters.ChoiceFilter(
        label=_("Due within"), choices=WEEKS_CHOICES, empty_label=_("8 weeks"), method="ignore"
    )
    technician = django_filters.ModelChoiceFilter(
        label=_("Technician"),
        queryset=User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by(
            "last_name", "first_name", "username"
        ),
        method="ignore",
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Status"), choices=OVERDUE_CHOICES, empty_label=_("All"), method="ignore"
    )
    customer = django_filters.NumberFilter(
        label=_("Customer"), method="ignore", widget=django_filters.widgets.forms.HiddenInput
    )

    class Meta:
        model = MaintenanceOccurrence
        fields = ["q", "weeks", "technician", "overdue", "customer"]

    def ignore(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        technician = data.get("technician")
        return maintenance.due_overview(
            today=timezone.localdate(),
            weeks=int(data.get("weeks") or maintenance.DEFAULT_WEEKS),
            customer_id=_customer_id(data.get("customer")),
            technician_id=technician.pk if technician is not None else None,
            overdue=data.get("overdue") == "1",
            search=(data.get("q") or "").strip(),
        )


def _customer_id(value) -> int | None:
    """The customer of the address (a hidden field): None for any; a number no record can have
    (out of the database's range, negative, a fraction) shows no rows rather than failing."""
    if value is None:
        return None
    return parse_id(format(value, "f")) or 0
