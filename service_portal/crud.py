"""Base views for the staff pages that list, show, create and edit records."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django_filters.views import FilterView

from service_portal import idempotency
from service_portal.forms import VersionConflict
from service_portal.pagination import (
    KEYSET_PARAMETERS,
    CappedPaginator,
    NearestPageMixin,
    keyed,
    keyset_page,
    ordering_of,
)
from service_portal.permissions import RoleRequiredMixin
from service_portal.roles import EVERYONE, STAFF


class PortalListView(RoleRequiredMixin, NearestPageMixin, FilterView):
    """A filtered, paginated list. Subclasses set ``filterset_class`` and ``template_name``.

    Any page number shows a page: the nearest that exists (``NearestPageMixin``)."""

    allowed_roles = EVERYONE
    paginate_by = settings.PAGE_SIZE
    paginator_class = CappedPaginator
    count_limit: int | None = None  # counts at most this many rows (below LIST_COUNT_LIMIT)
    # Read the page as values(*row_fields), dicts instead of model instances (the fields include
    # those of the ordering: the page links carry them); the count reads the queryset as given.
    # ``make_rows`` turns the page's dicts into the rows its template shows.
    row_fields: tuple[str, ...] | None = None
    strict = False  # an invalid filter shows the error above an empty list, never a 500

    def get_paginator(self, *args: Any, **kwargs: Any) -> CappedPaginator:
        return super().get_paginator(
            *args, count_limit=self.count_limit, fields=self.row_fields, **kwargs
        )

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple:
        """The page by key when its link carries one (service_portal/pagination.py), so a
        deep page costs what the first one does; by OFFSET otherwise."""
        paginator, page, rows, other_pages = super().paginate_queryset(queryset, page_size)
        by_key = keyset_page(paginator, page.number, self.request.GET)
        if by_key is not None:
            page = by_key
        else:
            keyed(page, ordering_of(paginator.object_list))
        if self.row_fields:
            page.object_list = self.make_rows(page.object_list)  # after the keys: they read dicts
        return paginator, page, page.object_list, other_pages

    def make_rows(self, values: Any) -> Any:
        """The rows of a page read as ``values(*row_fields)``; the dicts themselves here."""
        return values

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in KEYSET_PARAMETERS:
            query.pop(key, None)
        context["query_string"] = query.urlencode()
        return context


class PortalDetailView(RoleRequiredMixin, generic.DetailView):
    allowed_roles = EVERYONE


class PortalFormMixin(RoleRequiredMixin):
    allowed_roles = STAFF
    template_name = "portal/form.html"
    success_message = _("Saved.")
    page_title: Any = ""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            response = super().form_valid(form)  # type: ignore[misc]
        except VersionConflict as conflict:
            form.add_error(None, str(conflict))
            return self.form_invalid(form)  # type: ignore[attr-defined]
        messages.success(self.request, self.success_message)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["page_title"] = self.get_page_title()
        context["cancel_url"] = self.get_cancel_url()
        return context

    def get_page_title(self) -> Any:
        return self.page_title

    def get_cancel_url(self) -> str:
        obj = getattr(self, "object", None)
        return obj.get_absolute_url() if obj is not None and obj.pk else ""


class PortalCreateView(PortalFormMixin, generic.CreateView):
    """Creates one record per form, however often the form is submitted."""

    success_message = _("Created.")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            with idempotency.once(form.cleaned_data["submission_token"], self.request.user) as sent:
                response = super().form_valid(form)
                if response.status_code != 302:
                    transaction.set_rollback(True)  # nothing was created: the token stays free
                    return response
                sent.done(response["Location"])
        except idempotency.AlreadySubmitted as repeat:
            return idempotency.already_saved(self.request, repeat, self.get_cancel_url() or "home")
        return response


class PortalUpdateView(PortalFormMixin, generic.UpdateView):
    success_message = _("Changes saved.")
