"""The REST API, version 1: read the installed base, upsert it by external code.

Lists are ordered by id (stable while pages are read) and filter on ``updated_since`` for
incremental sync; see docs/api.md for the sync pattern.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from api import serializers as api_serializers
from api.exceptions import as_api_errors
from api.models import Scope
from customers.importing import upsert
from customers.models import Contact, Customer, Product, Site, Unit
from customers.validators import EXTERNAL_CODE_RE


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


SYNC_PARAMETERS = [
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Only records changed at or after this moment (ISO 8601, with time zone).",
    ),
    OpenApiParameter("external_code", OpenApiTypes.STR, description="Exact external code."),
    OpenApiParameter(
        "after_id",
        OpenApiTypes.INT,
        description="Only records with a greater id: read long lists page after page "
        "(keep page=1, pass the last id received) without the cost of deep offsets.",
    ),
]


def _valid_code(code: str, name: str = "external_code") -> str:
    if not EXTERNAL_CODE_RE.match(code):
        raise ValidationError({name: [_("Not a valid external code.")]})
    return code


class InstalledBaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    read_scope = Scope.CUSTOMERS_READ
    write_scope = Scope.CUSTOMERS_WRITE
    pagination_class = Pagination

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        params = self.request.query_params
        since = params.get("updated_since")
        if since:
            queryset = queryset.filter(updated_at__gte=_parse_moment(since))
        code = params.get("external_code")
        if code:
            queryset = queryset.filter(external_code=_valid_code(code))
        after = params.get("after_id")
        if after:
            queryset = queryset.filter(pk__gt=_parse_id(after))
        return queryset.order_by("pk")

    @extend_schema(parameters=SYNC_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


MAX_ID = 2**63 - 1  # bigint: larger numbers would overflow the database driver


def _parse_id(value: str) -> int:
    if not value.isdigit() or int(value) > MAX_ID:
        raise ValidationError({"after_id": [_("Use a whole number.")]})
    return int(value)


def _parse_moment(value: str):
    # A "+" left unencoded in a query string arrives as a space.
    candidate = value.strip().replace(" ", "+") if "T" in value else value.strip()
    try:
        moment = parse_datetime(candidate)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(
            {"updated_since": [_("Use an ISO 8601 date and time, e.g. 2025-01-31T08:00:00Z.")]}
        )
    return make_aware(moment) if is_naive(moment) else moment


class UpsertMixin:
    """GET/PUT ``by-code/<code>/``: the same PUT twice gives the same record, never a duplicate.

    201 when created, 200 when updated or already up to date; the ``X-Upsert-Action`` header
    says which (created, updated, unchanged). Fields left out of a PUT keep their value.
    """

    def _by_code_response(self, request, code):
        _valid_code(code)
        model = self.get_serializer_class().Meta.model
        if request.method == "GET":
            instance = self.get_queryset().filter(external_code=code).first()
            if instance is None:
                raise NotFound
            return Response(self.get_serializer(instance).data)
        exists = model._default_manager.filter(external_code=code).exists()
        serializer = self.get_serializer(data=request.data, partial=exists)
        serializer.is_valid(raise_exception=True)
        try:
            instance, outcome = upsert(
                model, external_code=code, values=dict(serializer.validated_data)
            )
        except DjangoValidationError as exc:
            raise ValidationError(as_api_errors(exc)) from None
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(
            self.get_serializer(instance).data,
            status=status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK,
            headers={"X-Upsert-Action": outcome},
        )


def _by_code_schema(serializer_class):
    return extend_schema(
        methods=["PUT"],
        request=serializer_class,
        responses={
            200: serializer_class,
            201: serializer_class,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="field -> messages"),
        },
    )


class CustomerViewSet(UpsertMixin, InstalledBaseViewSet):
    queryset = Customer.objects.all()
    serializer_class = api_serializers.CustomerSerializer

    @_by_code_schema(api_serializers.CustomerSerializer)
    @action(detail=False, methods=["get", "put"], url_path=r"by-code/(?P<code>[^/]+)")
    def by_code(self, request, code):
        return self._by_code_response(request, code)


class SiteViewSet(UpsertMixin, InstalledBaseViewSet):
    queryset = Site.objects.select_related("customer")
    serializer_class = api_serializers.SiteSerializer

    @_by_code_schema(api_serializers.SiteSerializer)
    @action(detail=False, methods=["get", "put"], url_path=r"by-code/(?P<code>[^/]+)")
    def by_code(self, request, code):
        return self._by_code_response(request, code)


class UnitViewSet(UpsertMixin, InstalledBaseViewSet):
    queryset = Unit.objects.select_related("product", "site")
    serializer_class = api_serializers.UnitSerializer

    @_by_code_schema(api_serializers.UnitSerializer)
    @action(detail=False, methods=["get", "put"], url_path=r"by-code/(?P<code>[^/]+)")
    def by_code(self, request, code):
        return self._by_code_response(request, code)


class ContactViewSet(InstalledBaseViewSet):
    queryset = Contact.objects.select_related("customer", "site")
    serializer_class = api_serializers.ContactSerializer


class ProductViewSet(InstalledBaseViewSet):
    read_scope = Scope.CATALOGUE_READ
    write_scope = None
    queryset = Product.objects.all()
    serializer_class = api_serializers.ProductSerializer
