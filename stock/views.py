"""Thin views of the stock pages: parse the request, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from service_portal import idempotency
from service_portal.crud import PortalListView
from service_portal.errors import show_error
from service_portal.money import plain
from service_portal.permissions import role_required
from service_portal.roles import STAFF
from stock import access, selectors, services
from stock.filters import LevelFilter, MoveFilter, WarehouseFilter
from stock.forms import MoveForm, RestockForm
from stock.models import Warehouse, WarehouseKind


class WarehouseList(PortalListView):
    """Every warehouse for the office; a technician's list holds their own van."""

    filterset_class = WarehouseFilter
    template_name = "stock/warehouse_list.html"

    def get_queryset(self):
        return selectors.warehouse_list(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_manage"] = access.may_manage(self.request.user)
        return context


class WarehouseDetail(PortalListView):
    """One warehouse's stock: searchable by part, "below minimum" filter, paginated."""

    filterset_class = LevelFilter
    template_name = "stock/warehouse_detail.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            self.warehouse = access.get_warehouse_for(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.levels_of(self.warehouse)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["warehouse"] = self.warehouse
        context["may_manage"] = access.may_manage(self.request.user)
        return context


class MoveList(PortalListView):
    """The moves the user may see, newest first, filtered by kind, warehouse, part, reference."""

    filterset_class = MoveFilter
    template_name = "stock/move_list.html"

    def get_queryset(self):
        return selectors.move_list(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["warehouses"] = access.warehouses_for(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_manage"] = access.may_manage(self.request.user)
        return context


@role_required(*STAFF)
def move_create(request: HttpRequest) -> HttpResponse:
    """A receipt, transfer or adjustment; a refusal keeps what was typed."""
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with idempotency.once(form.cleaned_data["submission_token"], request.user) as sent:
                move = services.record_manual_move(
                    acting_user=request.user, **form.service_fields()
                )
                sent.done(reverse("stock:move_list"))
        except idempotency.AlreadySubmitted as repeat:
            return idempotency.already_saved(request, repeat, "stock:move_list")
        except services.StockError as error:
            show_error(request, error, form)
        else:
            messages.success(
                request,
                _("Recorded: %(kind)s of %(quantity)s × %(code)s.")
                % {
                    "kind": move.get_kind_display(),
                    "quantity": plain(move.quantity),
                    "code": move.spare_part.code,
                },
            )
            return redirect("stock:move_list")
    return render(request, "stock/move_form.html", {"form": form})


@role_required(*STAFF)
def van_restock(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposal (parts below minimum, up to maximum), confirmed as transfers."""
    van = access.get_warehouse_for(request.user, pk)
    if van.kind != WarehouseKind.VAN:
        messages.error(request, _("Only a van is restocked."))
        return redirect(van)
    source_id = request.POST.get("source") or request.GET.get("source")
    sources = Warehouse.objects.filter(is_active=True).exclude(kind=WarehouseKind.VAN)
    source = sources.filter(pk=source_id).first() if str(source_id or "").isdigit() else None
    source = source or services.central_warehouse()
    lines = services.restock_proposal(van=van, source=source) if source else []
    part_ids = [line.level.spare_part_id for line in lines]
    form = RestockForm(
        request.POST or None,
        part_ids=part_ids,
        initial={
            "source": source,
            **{f"qty_{ln.level.spare_part_id}": ln.proposed for ln in lines},
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            moves = services.confirm_restock(
                van=van,
                source=form.cleaned_data["source"],
                quantities={pk: q for pk, q in form.quantities().items() if pk in part_ids},
                acting_user=request.user,
            )
        except services.StockError as error:
            show_error(request, error, form)
        else:
            messages.success(
                request, _("%(count)s transfers recorded into the van.") % {"count": len(moves)}
            )
            return redirect(van)
    rows = [(line, form[f"qty_{line.level.spare_part_id}"]) for line in lines]
    context = {"van": van, "form": form, "rows": rows, "source": source}
    return render(request, "stock/van_restock.html", context)
