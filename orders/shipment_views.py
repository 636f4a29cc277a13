"""The order's shipments: record one (with its delivery note), print the note, print the order
confirmation. Office staff only, like every order page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders import shipping
from orders.documents import (
    delivery_note_filename,
    delivery_note_pdf,
    order_confirmation_filename,
    order_confirmation_pdf,
)
from orders.models import Order, Shipment
from orders.selectors import get_order_for, order_shipments
from service_portal.errors import show_error
from service_portal.money import plain
from service_portal.permissions import role_required
from service_portal.roles import STAFF


class ShipmentForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=150)
    packages = forms.IntegerField(label=gettext_lazy("Packages"), min_value=1, max_value=9999)
    notes = forms.CharField(label=gettext_lazy("Notes"), max_length=500, required=False)

    def __init__(self, *args, order: Order, left: dict[int, Decimal], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order_lines = [line for line in order.lines.all() if left.get(line.pk, 0) > 0]
        for line in self.order_lines:
            self.fields[f"qty_{line.pk}"] = forms.DecimalField(
                label=" – ".join((line.code, line.description)),  # the part: data, not text
                required=False,
                min_value=Decimal(0),
                max_value=left[line.pk],
                max_digits=12,
                decimal_places=3,
                help_text=_("left to ship: %(left)s") % {"left": plain(left[line.pk])},
            )

    def quantities(self) -> dict[int, Decimal]:
        return {
            line.pk: self.cleaned_data[f"qty_{line.pk}"]
            for line in self.order_lines
            if self.cleaned_data.get(f"qty_{line.pk}")
        }


def _page(request: HttpRequest, order: Order, form: ShipmentForm | None, status: int = 200):
    shipments = order_shipments(order)
    left = shipping.remaining(order)
    if form is None and order.state in shipping.SHIPPABLE:
        form = ShipmentForm(order=order, left=left, initial={"date": timezone.localdate()})
    return render(
        request,
        "orders/order_shipments.html",
        {"order": order, "shipments": shipments, "form": form},
        status=status,
    )


@role_required(*STAFF)
def order_shipments_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for(request.user, pk)
    if request.method != "POST":
        return _page(request, order, None)
    form = ShipmentForm(request.POST, order=order, left=shipping.remaining(order))
    if form.is_valid():
        try:
            shipment = shipping.create_shipment(
                order=order,
                quantities=form.quantities(),
                date=form.cleaned_data["date"],
                carrier=form.cleaned_data["carrier"],
                packages=form.cleaned_data["packages"],
                notes=form.cleaned_data["notes"],
                acting_user=request.user,
            )
        except (shipping.ShipmentError, InvalidOperation) as error:
            show_error(request, error, form)  # type: ignore[arg-type]
        else:
            messages.success(
                request,
                _("Delivery note %(ddt)s recorded.") % {"ddt": shipment.ddt_code},
            )
            return redirect("orders:order_shipments", pk=order.pk)
    return _page(request, order, form, status=400)


@role_required(*STAFF)
def delivery_note_view(request: HttpRequest, pk: int, shipment_pk: int) -> HttpResponse:
    order = get_order_for(request.user, pk)
    shipment = get_object_or_404(
        Shipment.objects.select_related("order"), pk=shipment_pk, order=order
    )
    response = HttpResponse(delivery_note_pdf(shipment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{delivery_note_filename(shipment)}"'
    return response


@role_required(*STAFF)
def order_confirmation_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for(request.user, pk)
    response = HttpResponse(order_confirmation_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order_confirmation_filename(order)}"'
    return response
