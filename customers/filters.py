import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Contact, Customer, Product, Site, Unit
from service_portal.choices import choice_labels
from service_portal.i18n import localized_fields

MAX_ID = 2**63 - 1  # the largest primary key the database can hold
# The unit search lists at most this many sites of matching customers in its condition.
SITE_IDS_LIMIT = 500


def ids_up_to(queryset, limit: int) -> list[int] | None:
    """The primary keys of ``queryset`` as a list, or None when there are more than ``limit``.

    A search reads the few matching rows of another table first and lists their ids in its
    condition, so that PostgreSQL plans each side of the condition from its own index; past
    ``limit`` the caller keeps the sub-select or the join.
    """
    ids = list(queryset.order_by().values_list("pk", flat=True)[: limit + 1])
    return None if len(ids) > limit else ids


class IdFilter(django_filters.NumberFilter):
    """The id of a record in the address: whole, positive and within the database's range
    (a larger number would overflow the query instead of finding nothing)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


ACTIVE_CHOICES = [("1", _("Active")), ("0", _("Inactive"))]


class SearchFilterSet(django_filters.FilterSet):
    """A free-text ``q`` over ``search_fields`` plus the model's own filters."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(self.search_condition(value))

    def search_condition(self, value: str) -> Q:
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return condition


def _country_choices() -> list[tuple[str, str]]:
    """The customer's countries with their labels in the reader's language, translated once per
    language (``service_portal.choices``; given as a callable, or the form would copy and its
    select translate the labels on every request)."""
    return list(choice_labels(Customer._meta.get_field("country")).items())


class CustomerFilter(SearchFilterSet):
    search_fields = ("name", "vat_number", "fiscal_code", "city")
    country = django_filters.ChoiceFilter(label=_("Country"), choices=_country_choices)
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, method="filter_active"
    )

    class Meta:
        model = Customer
        fields = ["q", "country", "active"]

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")


class SiteFilter(SearchFilterSet):
    search_fields = ("name", "city", "address", "customer__name")
    customer = IdFilter(widget=forms.HiddenInput)

    class Meta:
        model = Site
        fields = ["q", "customer"]


class ContactFilter(SearchFilterSet):
    search_fields = ("name", "email", "phone", "mobile")
    customer = IdFilter(widget=forms.HiddenInput)

    class Meta:
        model = Contact
        fields = ["q", "customer"]

    def search_condition(self, value: str) -> Q:
        """The contact's own fields, or its customer's name as a sub-select (the trigram index
        on customer names): joined to the customers instead, a term found in most contacts
        had the capped count read and hash all the customers first."""
        customers = Customer.objects.filter(name__icontains=value).order_by().values("pk")
        return super().search_condition(value) | Q(customer__in=customers)


class ProductFilter(SearchFilterSet):
    search_fields = ("code", *localized_fields("description"))

    class Meta:
        model = Product
        fields = ["q"]


class UnitFilter(SearchFilterSet):
    search_fields = ("serial_number",)
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), queryset=Product.objects.filter(is_active=True)
    )
    customer = IdFilter(field_name="site__customer", widget=forms.HiddenInput)
    warranty = django_filters.ChoiceFilter(
        label=_("Warranty"),
        choices=[("in", _("Under warranty")), ("out", _("Out of warranty"))],
        method="filter_warranty",
    )

    class Meta:
        model = Unit
        fields = ["q", "product", "customer", "warranty"]

    def search(self, queryset, name, value):
        """Serial number, product code or customer name.

        The products and sites that match are read first (two small queries, sites capped at
        ``SITE_IDS_LIMIT``) and put in the condition as plain lists: PostgreSQL then estimates
        each side of the OR from its own index (the trigram index on serial numbers, the
        foreign keys' indexes) and reads only the matching units for a rare term, or walks the
        list's order for a term that matches most units. A sub-select in the OR would be
        guessed to match half the table and the serial index would never be used. A customer
        name matching more sites than the cap keeps the sub-select: it matches many units, so
        the walk in list order is the right plan anyway.
        """
        value = value.strip()
        if not value:
            return queryset
        customer_sites = (
            Site.objects.filter(customer__name__icontains=value).order_by().values("pk")
        )
        products = list(
            Product.objects.filter(code__icontains=value).order_by().values_list("pk", flat=True)
        )
        sites = ids_up_to(customer_sites, SITE_IDS_LIMIT)
        condition = Q(serial_number__icontains=value)
        if products:
            condition |= Q(product__in=products)
        if sites is None:
            condition |= Q(site__in=customer_sites)
        elif sites:
            condition |= Q(site__in=sites)
        return queryset.filter(condition)

    def filter_warranty(self, queryset, name, value):
        today = timezone.localdate()
        if value == "in":
            return queryset.filter(warranty_end__gte=today)
        return queryset.filter(Q(warranty_end__lt=today) | Q(warranty_end__isnull=True))
