import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Customer
from orders.models import Offer, OfferState, Order, OrderState, SparePart
from orders.selectors import part_matches


class SparePartFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Code or description"), method="search", max_length=100)

    class Meta:
        model = SparePart
        fields = ["q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(part_matches(value))


class DocumentFilter(django_filters.FilterSet):
    """Filters shared by the offer and order lists (and their CSV exports)."""

    code = django_filters.CharFilter(label=_("Code"), lookup_expr="icontains", max_length=30)
    customer = django_filters.CharFilter(
        label=_("Customer"), method="filter_customer", max_length=100
    )
    unit = django_filters.CharFilter(
        label=_("Serial number"),
        field_name="unit__serial_number",
        lookup_expr="icontains",
        max_length=60,
    )
    date_from = django_filters.DateFilter(
        label=pgettext_lazy("date range", "From"), field_name="created_at", lookup_expr="date__gte"
    )
    date_to = django_filters.DateFilter(
        label=pgettext_lazy("date range", "To"), field_name="created_at", lookup_expr="date__lte"
    )

    def filter_customer(self, queryset, name, value):
        """Name without minding accents and capitals, VAT number or fiscal code (as the calls)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(customer__in=Customer.objects.matching(value).values("pk"))


class OfferFilter(DocumentFilter):
    state = django_filters.ChoiceFilter(label=_("State"), choices=OfferState.choices)

    class Meta:
        model = Offer
        fields = ["code", "customer", "unit", "state", "date_from", "date_to"]


class OrderFilter(DocumentFilter):
    state = django_filters.ChoiceFilter(label=_("State"), choices=OrderState.choices)

    class Meta:
        model = Order
        fields = ["code", "customer", "unit", "state", "date_from", "date_to"]
