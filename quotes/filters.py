import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from quotes.models import PriceList, Quote, QuoteState

KIND_CHOICES = [
    ("standard", _("Standard")),
    ("customer", _("Customer's own")),
    ("warranty", _("Warranty")),
]
ACTIVE_CHOICES = [
    ("1", pgettext_lazy("price list", "Active")),
    ("0", pgettext_lazy("price list", "Inactive")),
]


class PriceListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=KIND_CHOICES, method="filter_kind")
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, method="filter_active"
    )

    class Meta:
        model = PriceList
        fields = ["q", "kind", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(customer__name__icontains=value))

    def filter_kind(self, queryset, name, value):
        if value == "warranty":
            return queryset.filter(is_warranty=True)
        if value == "customer":
            return queryset.filter(customer__isnull=False)
        return queryset.filter(customer__isnull=True, is_warranty=False)

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=value == "1")


class QuoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    state = django_filters.ChoiceFilter(label=_("State"), choices=QuoteState.choices)

    class Meta:
        model = Quote
        fields = ["q", "state"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(customer__name__icontains=value))
