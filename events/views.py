"""Administrators' pages: webhook endpoints, their delivery log, replay and enable."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import services
from events.forms import EndpointForm
from events.models import Delivery, DeliveryState, WebhookEndpoint
from service_portal.errors import show_error
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS

LOG_SIZE = 50


@role_required(*ADMINISTRATORS)
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = WebhookEndpoint.objects.annotate(
        pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING))
    )
    return render(request, "events/endpoint_list.html", {"endpoints": endpoints})


@role_required(*ADMINISTRATORS)
def endpoint_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk) if pk else None
    form = EndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        endpoint = form.save()
        messages.success(request, _("Endpoint %(name)s saved.") % {"name": endpoint.name})
        return redirect("events:endpoint_detail", pk=endpoint.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "events/endpoint_form.html", {"form": form, "endpoint": endpoint}, status=status
    )


@role_required(*ADMINISTRATORS)
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The endpoint, its secret and its delivery log (the latest deliveries, with the tries)."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    deliveries = (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related("log")
        .order_by("-event_id")[:LOG_SIZE]
    )
    return render(
        request,
        "events/endpoint_detail.html",
        {"endpoint": endpoint, "deliveries": deliveries, "log_size": LOG_SIZE},
    )


@require_POST
@role_required(*ADMINISTRATORS)
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.enable_endpoint(endpoint=endpoint, acting_user=request.user)
    messages.success(request, _("Endpoint enabled: its waiting events will be sent in order."))
    return redirect("events:endpoint_detail", pk=pk)


@require_POST
@role_required(*ADMINISTRATORS)
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.rotate_secret(endpoint=endpoint, acting_user=request.user)
    messages.success(request, _("New secret made: give it to the receiver now."))
    return redirect("events:endpoint_detail", pk=pk)


@require_POST
@role_required(*ADMINISTRATORS)
def delivery_replay(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=delivery_pk, endpoint_id=pk)
    try:
        services.replay(delivery=delivery, acting_user=request.user)
    except services.WebhookError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Event %(id)s will be sent again.") % {"id": delivery.event_id})
    return redirect("events:endpoint_detail", pk=pk)
