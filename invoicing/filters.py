"""Filters of the verification queue and of the invoice list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from calls.models import Intervention, InterventionType
from invoicing.models import Invoice, InvoiceKind, InvoiceState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VerificationFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(
        label=_("Customer"), field_name="call__customer__name", lookup_expr="icontains"
    )
    technician = django_filters.ModelChoiceFilter(
        label=_("Technician"),
        queryset=User.objects.filter(role=Role.TECHNICIAN).order_by("last_name", "first_name"),
    )
    date_from = django_filters.DateFilter(
        label=_("Done from"), field_name="state_changed_at", lookup_expr="date__gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("Done to"), field_name="state_changed_at", lookup_expr="date__lte", widget=DATE
    )
    type = django_filters.ModelChoiceFilter(
        label=_("Intervention type"), queryset=InterventionType.objects.all()
    )

    class Meta:
        model = Intervention
        fields: list[str] = []


class InvoiceFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(label=_("Customer"), method="filter_customer")
    number = django_filters.CharFilter(
        label=_("Number"), field_name="code", lookup_expr="icontains", max_length=20
    )
    date_from = django_filters.DateFilter(
        label=_("Issued from"), field_name="issue_date", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("Issued to"), field_name="issue_date", lookup_expr="lte", widget=DATE
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InvoiceKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=InvoiceState.choices)

    class Meta:
        model = Invoice
        fields: list[str] = []

    def filter_customer(self, queryset, name, value):
        return queryset.filter(
            Q(customer_name__icontains=value) | Q(customer__name__icontains=value)
        )
