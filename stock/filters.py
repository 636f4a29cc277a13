"""Filters of the stock pages (a warehouse's levels, the moves)."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orders.selectors import part_matches
from stock.models import MoveKind, StockLevel, StockMove, Warehouse, WarehouseKind


class LevelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Code or description"), method="search", max_length=100)
    below_minimum = django_filters.BooleanFilter(
        label=_("Below minimum only"),
        method="filter_below",
        widget=django_filters.widgets.forms.CheckboxInput,
    )

    class Meta:
        model = StockLevel
        fields = ["q", "below_minimum"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(part_matches(value, "spare_part__")) if value else queryset

    def filter_below(self, queryset, name, value):
        return queryset.filter(quantity__lt=F("minimum")) if value else queryset


class MoveFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MoveKind.choices)
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), method="filter_warehouse"
    )
    part = django_filters.CharFilter(label=_("Part code"), method="filter_part", max_length=50)
    reference = django_filters.CharFilter(
        label=_("Reference"), lookup_expr="icontains", max_length=60
    )

    class Meta:
        model = StockMove
        fields = ["kind", "warehouse", "part", "reference"]

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if warehouses is not None:
            self.filters["warehouse"].queryset = warehouses
            self.form.fields["warehouse"].queryset = warehouses

    def filter_warehouse(self, queryset, name, value):
        return (
            queryset.filter(Q(from_warehouse=value) | Q(to_warehouse=value)) if value else queryset
        )

    def filter_part(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(spare_part__code__icontains=value) if value else queryset


class WarehouseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Code or name"), method="search", max_length=100)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=WarehouseKind.choices)

    class Meta:
        model = Warehouse
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))
