"""Base views for the staff pages that list, show, create and edit records."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django_filters.views import FilterView

from service_portal import idempotency
from service_portal.forms import VersionConflict
from service_portal.pagination import CappedPaginator, NearestPageMixin
from service_portal.permissions import EVERYONE, STAFF, RoleRequiredMixin


class PortalListView(RoleRequiredMixin, NearestPageMixin, FilterView):
    """A filtered, paginated list. Subclasses set ``filterset_class`` and ``template_name``.

    Any page number shows a page: the nearest that exists (``NearestPageMixin``)."""

    allowed_roles = EVERYONE
    paginate_by = settings.PAGE_SIZE
    paginator_class = CappedPaginator
    count_limit: int | None = None  # counts at most this many rows (below LIST_COUNT_LIMIT)
    strict = False  # an invalid filter shows the error above an empty list, never a 500

    def get_paginator(self, *args: Any, **kwargs: Any) -> CappedPaginator:
        return super().get_paginator(*args, count_limit=self.count_limit, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
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
    already_saved_message = _("This form had already been saved: nothing was created twice.")

    def form_valid(self, form: Any) -> HttpResponse:
        token = form.cleaned_data.get("submission_token")
        with transaction.atomic():
            earlier = idempotency.claim(token, self.request.user)
            if earlier is not None:
                messages.info(self.request, self.already_saved_message)
                return redirect(earlier.result_url or self.get_cancel_url() or "home")
            response = super().form_valid(form)
            if response.status_code != 302:
                transaction.set_rollback(True)  # nothing was created: the token stays free
                return response
            idempotency.complete(token, response["Location"])
        return response


class PortalUpdateView(PortalFormMixin, generic.UpdateView):
    success_message = _("Changes saved.")
