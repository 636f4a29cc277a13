"""What the ERP writes about orders (shipments, delivered/cancelled) and the events feed.

Shipments are idempotent by the ERP's reference: ``PUT /shipments/by-reference/<ref>/`` records
the shipment once (201), the same request again answers 200 with the same shipment, a different
one under a used reference 409. The order's state is a PUT of the state wanted: the state it
already has answers 200 unchanged. The feed lists events in id order after ``after_id``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api.models import Scope
from api.views import AFTER_ID, SyncViewSet, _parse_id, _valid_code
from events.models import Event
from orders import shipping
from orders.models import Order, OrderState, Shipment, ShipmentLine


# --- Events feed --------------------------------------------------------------------------
class EventSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="event_type")
    record = serializers.SerializerMethodField()
    data = serializers.JSONField(source="payload")

    class Meta:
        model = Event
        fields = ["id", "type", "record", "created_at", "data"]

    def get_record(self, event: Event) -> dict[str, str]:
        return {"type": event.record_type, "id": event.record_id}


class EventViewSet(SyncViewSet):
    """The events, oldest first: poll with ``after_id`` = the last id you processed."""

    read_scope = Scope.EVENTS_READ
    queryset = Event.objects.all()
    serializer_class = EventSerializer

    def filter_queryset(self, queryset):
        after = self.request.query_params.get("after_id")
        if after:
            queryset = queryset.filter(pk__gt=_parse_id(after))
        kind = self.request.query_params.get("type")
        if kind:
            queryset = queryset.filter(event_type=kind)
        return queryset.order_by("pk")

    @extend_schema(parameters=[AFTER_ID])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


# --- Shipments ----------------------------------------------------------------------------
class ShipmentLineSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="order_line.code", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = ["order_line", "code", "quantity"]


class ShipmentSerializer(serializers.ModelSerializer):
    ddt = serializers.CharField(source="ddt_code", read_only=True)
    order_code = serializers.CharField(source="order.code", read_only=True)
    lines = ShipmentLineSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "ddt",
            "order",
            "order_code",
            "date",
            "carrier",
            "packages",
            "notes",
            "erp_reference",
            "lines",
            "created_at",
        ]


class ShipmentLineWriteSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))


class ShipmentWriteSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all())
    date = serializers.DateField()
    carrier = serializers.CharField(max_length=150)
    packages = serializers.IntegerField(min_value=1, max_value=9999)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    lines = ShipmentLineWriteSerializer(many=True, allow_empty=False, max_length=500)


def _same(shipment: Shipment, values: dict) -> bool:
    sent = {line["order_line"]: line["quantity"] for line in values["lines"]}
    kept = {line.order_line_id: line.quantity for line in shipment.lines.all()}
    return (
        shipment.order_id == values["order"].pk
        and shipment.date == values["date"]
        and shipment.carrier == values["carrier"].strip()
        and shipment.packages == values["packages"]
        and sent == kept
    )


class ShipmentViewSet(SyncViewSet):
    """Shipments of orders with their delivery notes: read with ``orders:read``; the ERP records
    one with ``PUT by-reference/<its own id of the shipment>/`` (``orders:write``)."""

    read_scope = Scope.ORDERS_READ
    write_scope = Scope.ORDERS_WRITE
    queryset = Shipment.objects.select_related("order").prefetch_related("lines__order_line")
    serializer_class = ShipmentSerializer

    def changed_since(self, queryset, moment):
        return queryset.filter(created_at__gte=moment)

    @extend_schema(methods=["GET"], responses={200: ShipmentSerializer, 404: None})
    @extend_schema(
        methods=["PUT"],
        request=ShipmentWriteSerializer,
        responses={
            200: ShipmentSerializer,
            201: ShipmentSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="field -> messages"),
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, description="the reference names a different shipment"
            ),
        },
    )
    @action(detail=False, methods=["get", "put"], url_path=r"by-reference/(?P<reference>[^/]+)")
    def by_reference(self, request, reference):
        """GET a shipment by the ERP's reference; PUT records it once (idempotent)."""
        _valid_code(reference, "reference")
        existing = self.get_queryset().filter(erp_reference=reference).first()
        if request.method == "GET":
            if existing is None:
                raise NotFound
            return Response(self.get_serializer(existing).data)
        body = ShipmentWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        if existing is None:
            quantities: dict[int, Decimal] = {}
            for line in values["lines"]:
                quantities[line["order_line"]] = (
                    quantities.get(line["order_line"], Decimal(0)) + line["quantity"]
                )
            try:
                shipping.create_shipment(
                    order=values["order"],
                    quantities=quantities,
                    date=values["date"],
                    carrier=values["carrier"],
                    packages=values["packages"],
                    notes=values["notes"],
                    erp_reference=reference,
                )
            except shipping.ShipmentError as error:
                raise ValidationError({error.field or "lines": error.messages}) from None
            except IntegrityError:  # the same reference recorded at the same moment
                if not self.get_queryset().filter(erp_reference=reference).exists():
                    raise
            else:
                created = self.get_queryset().get(erp_reference=reference)
                return Response(
                    self.get_serializer(created).data,
                    status=status.HTTP_201_CREATED,
                    headers={"X-Upsert-Action": "created"},
                )
            existing = self.get_queryset().get(erp_reference=reference)
        if not _same(existing, values):
            return Response(
                {"detail": _("A different shipment was already recorded with this reference.")},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            self.get_serializer(existing).data, headers={"X-Upsert-Action": "unchanged"}
        )


class OrderStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=sorted(shipping.ERP_STATES))
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OrderStateResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    state = serializers.ChoiceField(choices=OrderState.choices)


class OrderStateViewSet(SyncViewSet):
    """``PUT /orders-state/<id>/``: the ERP sets an order delivered or cancelled (idempotent)."""

    read_scope = Scope.ORDERS_READ
    write_scope = Scope.ORDERS_WRITE
    queryset = Order.objects.all()
    serializer_class = OrderStateResponseSerializer

    @extend_schema(
        request=OrderStateSerializer,
        responses={
            200: OrderStateResponseSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="field -> messages"),
            404: None,
        },
    )
    def update(self, request, pk=None):
        order = self.get_object()
        body = OrderStateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            order, changed = shipping.set_state_from_erp(
                order=order,
                to_state=body.validated_data["state"],
                reason=body.validated_data["reason"],
            )
        except shipping.ShipmentError as error:
            raise ValidationError({error.field or "state": error.messages}) from None
        return Response(
            {"id": order.pk, "code": order.code, "state": order.state},
            headers={"X-Upsert-Action": "updated" if changed else "unchanged"},
        )
