"""Running-hours readings of units (preventive maintenance by counter, docs/contracts.md).

``GET /counter-readings/`` lists them (``unit``, ``after_id``, ``updated_since`` on the moment
recorded) with ``customers:read``; ``POST`` records one with ``counters:write``, checked like a
reading typed by a technician: a value lower than the previous reading is refused (400) unless
``is_replacement`` says the counter was replaced.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.models import Scope
from api.views import AFTER_ID, UPDATED_SINCE, SyncViewSet, _parse_id
from calls.models import CounterReading, ReadingSource
from calls.services.maintenance import ReadingRefused, record_reading
from customers.models import Unit


class CounterReadingSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.external_code", read_only=True)

    class Meta:
        model = CounterReading
        fields = [
            "id",
            "unit",
            "unit_code",
            "read_on",
            "hours",
            "total_hours",
            "is_replacement",
            "source",
            "recorded_at",
        ]


class CounterReadingWriteSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    read_on = serializers.DateField()
    hours = serializers.DecimalField(
        max_digits=10, decimal_places=1, min_value=Decimal(0), max_value=Decimal("999999999.9")
    )
    is_replacement = serializers.BooleanField(required=False, default=False)


UNIT = OpenApiParameter("unit", OpenApiTypes.INT, description="Only the readings of this unit.")


class CounterReadingViewSet(mixins.CreateModelMixin, SyncViewSet):
    read_scope = Scope.CUSTOMERS_READ
    write_scope = Scope.COUNTERS_WRITE
    queryset = CounterReading.objects.select_related("unit")
    serializer_class = CounterReadingSerializer

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        return queryset.filter(recorded_at__gte=moment)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        unit = self.request.query_params.get("unit")
        if unit:
            queryset = queryset.filter(unit_id=_parse_id(unit))
        return super().filter_queryset(queryset)

    @extend_schema(parameters=[UNIT, UPDATED_SINCE, AFTER_ID])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=CounterReadingWriteSerializer,
        responses={
            201: CounterReadingSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="field -> messages: lower than the previous reading, in the future...",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        body = CounterReadingWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            reading = record_reading(
                acting_user=None, source=ReadingSource.API, **body.validated_data
            )
        except ReadingRefused as refusal:
            raise ValidationError({"hours": refusal.messages}) from None
        return Response(self.get_serializer(reading).data, status=status.HTTP_201_CREATED)
