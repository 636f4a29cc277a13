"""Reads for the account pages: lists with search and the audit trail."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import AuthEvent, User
from service_portal.forms import DateInput
from service_portal.roles import Role

STATUS_CHOICES = [
    ("active", _("Active")),
    ("onboarding", _("Onboarding pending")),
    ("expired", _("Code expired")),
    ("inactive", _("Deactivated")),
]


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="by_status"
    )

    class Meta:
        model = User
        fields = ["q", "role", "status"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = Q()
        for word in value.split():
            condition &= (
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset.filter(condition)

    def by_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        if value == "active":
            return queryset.filter(is_active=True, must_onboard=False)
        if value == "onboarding":
            return queryset.filter(
                is_active=True, must_onboard=True, first_login_code_expires__gt=now
            )
        if value == "expired":
            return queryset.filter(
                Q(first_login_code_expires__lte=now) | Q(first_login_code_expires__isnull=True),
                is_active=True,
                must_onboard=True,
            )
        if value == "inactive":
            return queryset.filter(is_active=False)
        return queryset


class AuthEventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("User"), method="search", max_length=100)
    kind = django_filters.ChoiceFilter(label=_("Event"), choices=AuthEvent.Kind.choices)
    date_from = django_filters.DateFilter(
        label=pgettext_lazy("date range", "From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=DateInput(),
    )
    date_to = django_filters.DateFilter(
        label=pgettext_lazy("date range", "To"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=DateInput(),
    )

    class Meta:
        model = AuthEvent
        fields = ["q", "kind", "date_from", "date_to"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(
            Q(username__icontains=value)
            | Q(user__username__icontains=value)
            | Q(user__first_name__icontains=value)
            | Q(user__last_name__icontains=value)
        )


def users() -> QuerySet[User]:
    return User.objects.all()


def events() -> QuerySet[AuthEvent]:
    return AuthEvent.objects.select_related("user", "actor")


def recent_events_for(user: User, limit: int = 20) -> QuerySet[AuthEvent]:
    return events().filter(user=user)[:limit]
