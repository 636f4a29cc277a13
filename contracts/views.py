"""The administrators' pages of service contracts: list, detail, create, edit."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from contracts.filters import ContractFilter
from contracts.forms import ContractForm
from contracts.models import Contract
from customers.models import Customer, Unit
from service_portal.crud import (
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
)
from service_portal.forms import parse_id
from service_portal.roles import ADMINISTRATORS

# How many covered units the detail page lists.
UNITS_ON_DETAIL = 50


class ContractList(PortalListView):
    allowed_roles = ADMINISTRATORS
    model = Contract
    filterset_class = ContractFilter
    template_name = "contracts/contract_list.html"

    def get_queryset(self):
        return (
            Contract.objects.select_related("customer")
            .annotate(unit_count=Count("units", distinct=True))
            .order_by("-start_date", "-pk")
        )


class ContractDetail(PortalDetailView):
    allowed_roles = ADMINISTRATORS
    model = Contract
    template_name = "contracts/contract_detail.html"

    def get_queryset(self):
        return Contract.objects.select_related("customer").prefetch_related(
            "targets", "sites", "price_lists"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        units = Unit.objects.with_relations().filter(contracts=self.object).order_by("pk")
        context["units"] = units[:UNITS_ON_DETAIL]
        context["unit_count"] = units.count()
        context["fees"] = self.object.fees.select_related("invoice").order_by("-period_start")[:12]
        return context


class ContractCreate(PortalCreateView):
    allowed_roles = ADMINISTRATORS
    model = Contract
    form_class = ContractForm
    page_title = _("New service contract")

    @cached_property
    def customer(self) -> Customer | None:
        pk = parse_id(self.request.GET.get("customer"))
        return get_object_or_404(Customer, pk=pk) if pk else None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "customer": self.customer}

    def get_cancel_url(self) -> str:
        return reverse("contracts:contract_list")


class ContractUpdate(PortalUpdateView):
    allowed_roles = ADMINISTRATORS
    model = Contract
    form_class = ContractForm

    def get_queryset(self):
        return Contract.objects.select_related("customer").prefetch_related("targets")

    def get_page_title(self) -> Any:
        return _("Edit contract %(code)s") % {"code": self.object.code}
