"""Filters of the verification queue, of the calls to invoice and of the invoice list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from calls.models import Call, Intervention, InterventionType
from customers.models import Customer
from invoicing.models import Invoice, InvoiceDueDate, InvoiceKind, InvoiceState
from service_portal.forms import DateInput, parse_id
from service_portal.roles import Role

DATE = DateInput()


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


class BillableCallFilter(django_filters.FilterSet):
    """The calls to invoice: by customer name or VAT number, or one customer exactly (the
    "only this customer" link of a group, so that all its calls are listed together)."""

    customer = django_filters.CharFilter(
        label=_("Customer"), method="filter_customer", max_length=200
    )
    customer_id = django_filters.CharFilter(method="filter_customer_id", widget=forms.HiddenInput)
    # Issue 19: the customer who pays (a head office pays for its plants), the period the call
    # was received in, the site and the intervention type.
    billing_customer = django_filters.CharFilter(
        label=_("Billing customer"), method="filter_billing_customer", max_length=200
    )
    date_from = django_filters.DateFilter(
        label=_("Received from"), field_name="received_at", lookup_expr="date__gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("Received to"), field_name="received_at", lookup_expr="date__lte", widget=DATE
    )
    site = django_filters.CharFilter(
        label=_("Site"), field_name="site__name", lookup_expr="icontains", max_length=200
    )
    type = django_filters.ModelChoiceFilter(
        label=_("Intervention type"),
        queryset=InterventionType.objects.all(),
        method="filter_type",
    )

    class Meta:
        model = Call
        fields: list[str] = []

    def filter_customer(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(customer__in=Customer.objects.matching(value)) if value else queryset

    def filter_billing_customer(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matching = Customer.objects.matching(value)
        return queryset.filter(
            Q(customer__billing_customer__in=matching)
            | Q(customer__billing_customer__isnull=True, customer__in=matching)
        )

    def filter_type(self, queryset, name, value):
        return queryset.filter(Exists(Intervention.objects.filter(call=OuterRef("pk"), type=value)))

    def filter_customer_id(self, queryset, name, value):
        pk = parse_id(value)
        return queryset.filter(customer_id=pk) if pk else queryset.none()


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


class OpenItemFilter(django_filters.FilterSet):
    """The open items: by customer name or VAT number, only the overdue ones, by due date."""

    customer = django_filters.CharFilter(
        label=_("Customer"), method="filter_customer", max_length=200
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    due_to = django_filters.DateFilter(label=_("Due by"), method="filter_due_to", widget=DATE)

    class Meta:
        model = Invoice
        fields: list[str] = []

    def filter_customer(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(customer__in=Customer.objects.matching(value)) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue__gt=0) if value else queryset

    def filter_due_to(self, queryset, name, value):
        if not value:
            return queryset
        due = InvoiceDueDate.objects.filter(invoice=OuterRef("pk"), due_date__lte=value)
        return queryset.filter(Exists(due))


class DraftFilter(django_filters.FilterSet):
    """The draft invoices waiting to be issued, by the name of the customer they go to."""

    customer = django_filters.CharFilter(
        label=_("Customer"), field_name="customer__name", lookup_expr="icontains", max_length=200
    )

    class Meta:
        model = Invoice
        fields: list[str] = []
