"""The call search (SPEC §6: fixed URL ``/calls/`` and fixed GET parameter names).

One row per intervention (an intervention code, type and technician are per intervention);
each row links to its management page.
"""

from __future__ import annotations

import datetime
import re

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls import sla
from calls.forms import TechnicianChoiceField, active_technicians
from calls.models import InterventionType, Priority, State
from customers.filters import ids_up_to
from customers.models import Customer, Product, Unit
from service_portal.forms import DateInput
from service_portal.models import Counter
from service_portal.text_search import contains_folded


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


PRIORITY_RANK = Case(
    *(When(call__priority=value, then=Value(rank)) for rank, value in enumerate(Priority.values)),
    output_field=IntegerField(),
)

# sort parameter -> ORDER BY (newest first by default; pk breaks ties for stable pages)
SORTS = {
    "received": ("call__received_at", "pk"),
    "-received": ("-call__received_at", "-pk"),
    "code": ("code",),
    "-code": ("-code",),
    "customer": ("call__customer__name", "-call__received_at", "-pk"),
    "-customer": ("-call__customer__name", "-call__received_at", "-pk"),
    "state": ("state", "-call__received_at", "-pk"),
    "-state": ("-state", "-call__received_at", "-pk"),
    "requested": (F("requested_date").asc(nulls_last=True), "-pk"),
    "-requested": (F("requested_date").desc(nulls_last=True), "-pk"),
    # Urgent first (then the newest); "priority" is the natural way to read it.
    "priority": (PRIORITY_RANK.desc(), "-call__received_at", "-pk"),
    "-priority": (PRIORITY_RANK.asc(), "-call__received_at", "-pk"),
    # The next SLA deadline first (calls without a running clock last): the partial index
    # ``call_sla_due_idx`` holds the running ones. The search page reads these two in parts
    # (``DEADLINE_FIRST``); the export and the count use them as they are.
    "sla": (F("call__sla_due").asc(nulls_last=True), "pk"),
    "-sla": (F("call__sla_due").desc(nulls_last=True), "-pk"),
}
# The SLA sorts split where their NULLs begin: (the order of the rows whose call has a
# running deadline, the order of the others). Read one after the other they give the rows in
# the order of ``SORTS`` (NULLS LAST both ways, the same tie-break on the intervention): the
# first part comes from the partial index (a few hundred calls) instead of sorting the whole
# join, the second from the intervention's primary key (calls/views/search.py,
# ``DeadlineFirst``).
DEADLINE_FIRST = {
    "sla": (("call__sla_due", "pk"), ("pk",)),
    "-sla": (("-call__sla_due", "-pk"), ("-pk",)),
}
SLA_CHOICES = [
    (sla.AT_RISK, pgettext_lazy("SLA", "At risk")),
    (sla.BREACHED, pgettext_lazy("SLA", "Breached")),
]
DEFAULT_SORT = "-received"
# The serial number filter lists at most this many matching units in its condition.
UNIT_IDS_LIMIT = 1000
# The customer filter lists at most this many matching customers in its condition.
CUSTOMER_IDS_LIMIT = 500
ANY = pgettext_lazy("search filter", "Any")


class SearchForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date comes before the start date."))
        elif start and start > timezone.localdate():
            # Nothing can match: say so instead of an empty list that looks like "no calls".
            self.add_error("date_from", _("No call can have been received after today."))
        return data


class CallSearchFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("Received from"),
        method="filter_date_from",
        widget=DateInput(),
    )
    date_to = django_filters.DateFilter(
        label=_("Received to"),
        method="filter_date_to",
        widget=DateInput(),
    )
    call_code = django_filters.CharFilter(
        label=_("Call code"), method="filter_call_code", max_length=20
    )
    intervention_code = django_filters.CharFilter(
        label=_("Intervention code"), method="filter_intervention_code", max_length=30
    )
    status = django_filters.ChoiceFilter(
        label=_("Call status"),
        field_name="call__status",
        choices=State.choices,
        empty_label=ANY,
    )
    intervention_type = django_filters.ModelChoiceFilter(
        label=_("Intervention type"),
        field_name="type",
        queryset=InterventionType.objects.all(),
        empty_label=ANY,
    )
    customer = django_filters.CharFilter(
        label=_("Customer"),
        method="filter_customer",
        help_text=_("Name (accents and capitals do not matter), VAT number or fiscal code."),
    )
    technician = django_filters.ModelChoiceFilter(
        label=_("Technician"),
        field_name="technician",
        queryset=active_technicians(),
        empty_label=ANY,
    )
    serial_number = django_filters.CharFilter(
        label=_("Serial number"), method="filter_serial", max_length=60
    )
    sla = django_filters.ChoiceFilter(
        label=_("SLA"), choices=SLA_CHOICES, method="filter_sla", empty_label=ANY
    )

    class Meta:
        form = SearchForm
        fields = [
            "date_from",
            "date_to",
            "call_code",
            "intervention_code",
            "status",
            "intervention_type",
            "customer",
            "technician",
            "serial_number",
            "sla",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["technician"].field_class = TechnicianChoiceField

    # Dates are turned into a range of instants in the portal's time zone, so the index on
    # received_at is used (a ``__date`` lookup would cast every row).
    def filter_sla(self, queryset, name, value):
        now = timezone.now()
        if value == sla.BREACHED:
            return queryset.filter(sla.breached_condition(now, "call__"))
        return queryset.filter(sla.at_risk_condition(now, "call__"))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(call__received_at__gte=_start_of(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(call__received_at__lt=_start_of(value + datetime.timedelta(days=1)))

    # Codes are typed whole, from their beginning ("2026-0001") or by their number ("14",
    # "2026-14", "14/1"): a prefix match and a list of whole codes both use the unique index.
    def filter_call_code(self, queryset, name, value):
        return queryset.filter(code_condition(value, "call__code")) if value.strip() else queryset

    def filter_intervention_code(self, queryset, name, value):
        return queryset.filter(code_condition(value, "code")) if value.strip() else queryset

    # The customers are read first (name without accents through its trigram index, VAT number,
    # fiscal code) and listed in the condition, like the units of the serial number.
    def filter_customer(self, queryset, name, value):
        value = value.replace("\x00", "").strip()[:100]
        if not value:
            return queryset
        customers = Customer.objects.matching(value)
        ids = ids_up_to(customers, CUSTOMER_IDS_LIMIT)
        if ids is None:
            return queryset.filter(call__customer__in=customers.values("pk"))
        return queryset.filter(call__customer__in=ids)

    # The units whose serial number matches are read first (the trigram index on PostgreSQL)
    # and listed in the condition: the count and the page then start from those units' calls
    # (the index on the call's unit) instead of each searching the serial numbers again. A term
    # matching more units than the cap keeps the join.
    def filter_serial(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        ids = ids_up_to(Unit.objects.filter(serial_number__icontains=value), UNIT_IDS_LIMIT)
        if ids is None:
            return queryset.filter(call__unit__serial_number__icontains=value)
        return queryset.filter(call__unit__in=ids)


CODE_NUMBER = re.compile(r"^(?:(?P<year>\d{4})-)?(?P<number>\d{1,6})(?:/(?P<sub>\d{1,3}))?$")


def code_condition(value: str, field: str) -> Q:
    """Rows whose call code (``field="call__code"``) or intervention code (``"code"``) starts
    with ``value`` ("2026-0001"), or whose code has the number typed: "14" is call 14 of any year
    (2026-000014), "2026-14" that year's, "14/1" its first intervention."""
    value = value.strip().upper()
    match = CODE_NUMBER.match(value)
    if match is None:
        return Q(**{f"{field}__startswith": value})
    # A number without its year is a number, not the beginning of a code ("2" is call 2, not
    # every code of 2026).
    condition = Q(**{f"{field}__startswith": value}) if match["year"] else Q()
    number = int(match["number"])
    years = [int(match["year"])] if match["year"] else code_years()
    calls = [f"{year}-{number:06d}" for year in years]
    sub = match["sub"]
    if sub is not None:
        return condition | Q(code__in=[f"{code}/{int(sub)}" for code in calls])
    return condition | Q(call__code__in=calls)


def code_years() -> list[int]:
    """The years that have calls (one row per year in the numbering counters)."""
    years = set(Counter.objects.filter(series="call").values_list("year", flat=True))
    years.add(timezone.localdate().year)
    return sorted(years)


# --- The solutions search: how earlier calls were solved ------------------------------------
MAX_SOLUTION_WORDS = 8


class SolutionSearchFilter(django_filters.FilterSet):
    """Calls with a recorded solution, by product and by words of the problem, cause or
    solution: every word must appear in one of them, accents and capitals ignored."""

    q = django_filters.CharFilter(
        label=_("Words"),
        method="filter_words",
        max_length=200,
        help_text=_("Words of the problem, the cause or the solution (accents do not matter)."),
    )
    product = django_filters.ModelChoiceFilter(
        label=_("Product"),
        field_name="unit__product",
        queryset=Product.objects.filter(is_active=True).order_by("code"),
        empty_label=ANY,
    )

    class Meta:
        fields = ["q", "product"]

    def filter_words(self, queryset, name, value):
        words = value.replace("\x00", " ").split()[:MAX_SOLUTION_WORDS]
        for word in words:
            queryset = queryset.filter(
                contains_folded("description", word)
                | contains_folded("cause", word)
                | contains_folded("solution", word)
            )
        return queryset
