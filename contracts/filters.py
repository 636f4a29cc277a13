import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, FeePeriod
from customers.filters import SearchFilterSet

IN_FORCE_CHOICES = [("1", _("In force today")), ("0", _("Not in force"))]


class ContractFilter(SearchFilterSet):
    search_fields = ("code", "description", "customer__name")
    fee_period = django_filters.ChoiceFilter(label=_("Fee"), choices=FeePeriod.choices)
    in_force = django_filters.ChoiceFilter(
        label=_("Status"), choices=IN_FORCE_CHOICES, method="filter_in_force"
    )

    class Meta:
        model = Contract
        fields = ["q", "fee_period", "in_force"]

    def filter_in_force(self, queryset, name, value):
        today = timezone.localdate()
        condition = Q(is_active=True, start_date__lte=today) & (
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        return queryset.filter(condition) if value == "1" else queryset.exclude(condition)
