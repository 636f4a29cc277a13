"""The REST API, version 1: read the installed base, upsert it by external code.

Lists are ordered by id (stable while pages are read) and filter on ``updated_since`` for
incremental sync; see docs/api.md for the sync pattern.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from api import serializers as api_serializers
from api.catalogue import set_stock_levels, upsert_spare_part
from api.exceptions import as_api_errors
from api.models import Scope
from api.stock import record_erp_move
from calls.models import Call, Intervention, PartUsed
from customers.importing import upsert
from customers.models import Contact, Customer, Product, Site, Unit
from customers.validators import EXTERNAL_CODE_RE
from invoicing import payments
from invoicing.models import Invoice, InvoiceState, Payment
from orders.importing import RowError
from orders.models import Offer, OfferState, Order, SparePart
from quotes.models import Quote
from stock.models import StockLevel, StockMove, Warehouse


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only records changed at or after this moment (ISO 8601, with time zone).",
)
AFTER_ID = OpenApiParameter(
    "after_id",
    OpenApiTypes.INT,
    description="Only records with a greater id: read long lists page after page "
    "(keep page=1, pass the last id received) without the cost of deep offsets.",
)
EXTERNAL_CODE = OpenApiParameter(
    "external_code", OpenApiTypes.STR, description="Exact external code."
)
SYNC_PARAMETERS = [UPDATED_SINCE, EXTERNAL_CODE, AFTER_ID]


def _valid_code(code: str, name: str = "external_code") -> str:
    if not EXTERNAL_CODE_RE.match(code):
        raise ValidationError({name: [_("Not a valid external code.")]})
    return code


class SyncViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A list for incremental sync: ``updated_since`` and ``after_id``, ordered by id."""

    pagination_class = Pagination
    read_scope: str | None = None
    write_scope: str | None = None

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        return queryset.filter(updated_at__gte=moment)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        params = self.request.query_params
        since = params.get("updated_since")
        if since:
            queryset = self.changed_since(queryset, _parse_moment(since))
        after = params.get("after_id")
        if after:
            queryset = queryset.filter(pk__gt=_parse_id(after))
        return queryset.order_by("pk")

    @extend_schema(parameters=[UPDATED_SINCE, AFTER_ID])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class InstalledBaseViewSet(SyncViewSet):
    read_scope = Scope.CUSTOMERS_READ
    write_scope = Scope.CUSTOMERS_WRITE

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        code = self.request.query_params.get("external_code")
        if code:
            queryset = queryset.filter(external_code=_valid_code(code))
        return super().filter_queryset(queryset)

    @extend_schema(parameters=SYNC_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


MAX_ID = 2**63 - 1  # bigint: larger numbers would overflow the database driver


def _parse_id(value: str) -> int:
    # ASCII digits only: str.isdigit() accepts "²" or "١٢", which int() then refuses.
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ID:
        raise ValidationError({"after_id": [_("Use a whole number.")]})
    return int(text)


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


# --- Service, commercial documents and invoices: read only --------------------------------
class CallViewSet(SyncViewSet):
    """Calls. A call's ``status`` follows its interventions without touching the call's
    ``updated_at`` or ``version`` (a status change is not an edit of the call's data, so it gives
    the call section's editor no conflict), so ``updated_since`` also returns the calls whose
    interventions changed since then."""

    read_scope = Scope.CALLS_READ
    queryset = Call.objects.select_related("customer", "site", "unit")
    serializer_class = api_serializers.CallSerializer

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        touched = Intervention.objects.filter(updated_at__gte=moment).values("call_id")
        return queryset.filter(Q(updated_at__gte=moment) | Q(pk__in=touched))


class InterventionViewSet(SyncViewSet):
    """Interventions with their quote's totals; ``updated_since`` also returns those whose quote
    changed since then (a draft quote's lines change without touching the intervention)."""

    read_scope = Scope.CALLS_READ
    queryset = Intervention.objects.select_related(
        "call", "type", "technician", "quote"
    ).prefetch_related("quote__lines")
    serializer_class = api_serializers.InterventionSerializer

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        quotes = Quote.objects.filter(updated_at__gte=moment).values("pk")
        return queryset.filter(Q(updated_at__gte=moment) | Q(quote__in=quotes))

    @extend_schema(responses={200: api_serializers.PartUsedSerializer(many=True), 404: None})
    @action(detail=True, methods=["get"], url_path="parts-used", pagination_class=None)
    def parts_used(self, request, pk=None):
        """The spare parts used on this intervention, with the warehouse each was taken from
        (none when it came from an order of the call or no stock was kept)."""
        intervention = self.get_object()
        parts = PartUsed.objects.filter(intervention=intervention).select_related(
            "stock_move__from_warehouse"
        )
        return Response(api_serializers.PartUsedSerializer(parts, many=True).data)


_DOCUMENT_PARTIES = ("customer", "site", "unit", "billing_customer")
# The terms are short lists: one small query each rather than four more joins, which made
# PostgreSQL spend longer planning the page's query than running it.
_DOCUMENT_TERMS = ("payment_method", "delivery_term", "transport", "vat_rate")


class OfferViewSet(SyncViewSet):
    """Issued offers (sent, then accepted, declined...): drafts are work in progress, not
    documents, and change without notice. An issued offer changes only its state."""

    read_scope = Scope.ORDERS_READ
    queryset = (
        Offer.objects.exclude(state=OfferState.DRAFT)
        .select_related(*_DOCUMENT_PARTIES)
        .prefetch_related(*_DOCUMENT_TERMS)
        .with_lines()
    )
    serializer_class = api_serializers.OfferSerializer


class OrderViewSet(SyncViewSet):
    read_scope = Scope.ORDERS_READ
    queryset = (
        Order.objects.select_related(*_DOCUMENT_PARTIES, "offer")
        .prefetch_related(*_DOCUMENT_TERMS)
        .with_lines()
    )
    serializer_class = api_serializers.OrderSerializer


class InvoiceViewSet(SyncViewSet):
    """Issued invoices and credit notes. An issued invoice is frozen, so ``updated_since`` is
    compared with the moment it was issued; drafts are not documents yet and are left out."""

    read_scope = Scope.INVOICES_READ
    queryset = (
        Invoice.objects.filter(state=InvoiceState.ISSUED)
        .select_related("customer", "credited")
        .select_related("payment_terms")
        .prefetch_related(
            "lines", "due_dates", Prefetch("calls", queryset=Call.objects.only("id", "code"))
        )
    )
    serializer_class = api_serializers.InvoiceSerializer

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        return queryset.filter(issued_at__gte=moment)


class PaymentViewSet(SyncViewSet):
    """Payments received against issued invoices: read with ``invoices:read``; the ERP records
    one with ``PUT by-code/<its own id of the payment>/``. A payment is never edited: the same
    PUT again answers 200 (unchanged), a different one under a used code 409."""

    read_scope = Scope.INVOICES_READ
    write_scope = Scope.PAYMENTS_WRITE
    queryset = Payment.objects.select_related("invoice")
    serializer_class = api_serializers.PaymentSerializer

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        return queryset.filter(recorded_at__gte=moment)

    @extend_schema(methods=["GET"], responses={200: api_serializers.PaymentSerializer, 404: None})
    @extend_schema(
        methods=["PUT"],
        request=api_serializers.PaymentWriteSerializer,
        responses={
            200: api_serializers.PaymentSerializer,
            201: api_serializers.PaymentSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="field -> messages: unknown invoice, overpayment, a draft...",
            ),
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, description="the code names a different payment"
            ),
        },
    )
    @action(detail=False, methods=["get", "put"], url_path=r"by-code/(?P<code>[^/]+)")
    def by_code(self, request, code):
        """GET a payment by the ERP's code; PUT records it once (idempotent by the code)."""
        _valid_code(code)
        existing = self.get_queryset().filter(external_code=code).first()
        if request.method == "GET":
            if existing is None:
                raise NotFound
            return Response(self.get_serializer(existing).data)
        body = api_serializers.PaymentWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        invoice = values.pop("invoice_number")
        if existing is None:
            try:
                existing = payments.record_payment(invoice=invoice, external_code=code, **values)
            except payments.PaymentError as error:
                raise ValidationError({error.field or "invoice_number": error.messages}) from None
            except IntegrityError:  # the same code recorded at the same moment
                existing = self.get_queryset().filter(external_code=code).first()
                if existing is None:
                    raise
            else:
                return Response(
                    self.get_serializer(existing).data,
                    status=status.HTTP_201_CREATED,
                    headers={"X-Upsert-Action": "created"},
                )
        if not payments.matches(existing, invoice=invoice, **values):
            return Response(
                {"detail": _("A different payment was already recorded with this code.")},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            self.get_serializer(existing).data, headers={"X-Upsert-Action": "unchanged"}
        )


# --- Spare parts: read, upsert by code, stock levels ---------------------------------------
class SparePartViewSet(SyncViewSet):
    read_scope = Scope.CATALOGUE_READ
    write_scope = Scope.CATALOGUE_WRITE
    queryset = SparePart.objects.select_related("vat_rate").prefetch_related(
        Prefetch("products", queryset=Product.objects.only("id", "code"))
    )
    serializer_class = api_serializers.SparePartSerializer

    @extend_schema(methods=["GET"], responses={200: api_serializers.SparePartSerializer, 404: None})
    @extend_schema(
        methods=["PUT"],
        request=api_serializers.SparePartWriteSerializer,
        responses={
            200: api_serializers.SparePartSerializer,
            201: api_serializers.SparePartSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="field -> messages"),
        },
    )
    @action(detail=False, methods=["get", "put"], url_path=r"by-code/(?P<code>[^/]+)")
    def by_code(self, request, code):
        """GET a part by its code (case-insensitive); PUT creates or updates it (an upsert:
        the same PUT twice gives one part). The ``X-Upsert-Action`` header says what happened."""
        if len(code) > 50 or "\x00" in code or not code.strip():
            raise ValidationError({"code": [_("Not a valid spare part code.")]})
        if request.method == "GET":
            part = self.get_queryset().filter(code__iexact=code).first()
            if part is None:
                raise NotFound
            return Response(self.get_serializer(part).data)
        body = api_serializers.SparePartWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            part, outcome = upsert_spare_part(code=code, row=body.as_row())
        except RowError as exc:
            raise ValidationError({body.field_of(exc.field): [str(exc)]}) from None
        part = self.get_queryset().get(pk=part.pk)
        return Response(
            self.get_serializer(part).data,
            status=status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK,
            headers={"X-Upsert-Action": outcome},
        )

    @extend_schema(
        request=api_serializers.StockLevelsSerializer,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description='{"updated": n, "unchanged": n}'),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='{"items": [{}, {"code": ["..."]}, ...]}: one entry per item, '
                "empty for the good ones; nothing is saved",
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="stock-levels")
    def stock_levels(self, request):
        """Set the stock quantity of many parts at once: all of them, or none when any item is
        refused (unknown code, bad quantity, code repeated)."""
        body = api_serializers.StockLevelsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = [(i["code"], i["stock_quantity"]) for i in body.validated_data["items"]]
        outcome = set_stock_levels(items)
        if outcome.errors:
            raise ValidationError({"items": outcome.errors})
        return Response({"updated": outcome.updated, "unchanged": outcome.unchanged})


# --- Warehouses, stock levels and stock moves ----------------------------------------------------
class WarehouseViewSet(SyncViewSet):
    read_scope = Scope.STOCK_READ
    queryset = Warehouse.objects.select_related("technician")
    serializer_class = api_serializers.WarehouseSerializer

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        return queryset  # warehouses carry no change time: a short list, read whole

    @extend_schema(parameters=[AFTER_ID])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


WAREHOUSE = OpenApiParameter("warehouse", OpenApiTypes.STR, description="A warehouse's code.")
PART = OpenApiParameter("part_code", OpenApiTypes.STR, description="A spare part's code.")


def _code_filter(queryset: QuerySet, params, name: str, lookup: str) -> QuerySet:
    value = params.get(name)
    if value is None:
        return queryset
    if len(value) > 50 or "\x00" in value:
        raise ValidationError({name: [_("Not a valid code.")]})
    return queryset.filter(**{lookup: value})


class StockLevelViewSet(SyncViewSet):
    """What each warehouse holds of each part now; ``updated_since`` gives the levels a move
    changed since then."""

    read_scope = Scope.STOCK_READ
    queryset = StockLevel.objects.select_related("warehouse", "spare_part")
    serializer_class = api_serializers.StockLevelReadSerializer

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        moved = StockMove.objects.filter(created_at__gte=moment, spare_part=OuterRef("spare_part"))
        return queryset.filter(
            Exists(moved.filter(from_warehouse=OuterRef("warehouse")))
            | Exists(moved.filter(to_warehouse=OuterRef("warehouse")))
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        params = self.request.query_params
        queryset = _code_filter(queryset, params, "warehouse", "warehouse__code")
        queryset = _code_filter(queryset, params, "part_code", "spare_part__code__iexact")
        return super().filter_queryset(queryset)

    @extend_schema(parameters=[UPDATED_SINCE, AFTER_ID, WAREHOUSE, PART])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class StockMoveViewSet(SyncViewSet):
    """Stock moves, oldest first (``after_id`` reads the new ones). The ERP records a receipt,
    transfer or adjustment with ``PUT by-reference/<its own id of the move>/``: once. The same
    PUT again answers 200 (unchanged); a different move under a used reference 409."""

    read_scope = Scope.STOCK_READ
    write_scope = Scope.STOCK_WRITE
    queryset = StockMove.objects.select_related("spare_part", "from_warehouse", "to_warehouse")
    serializer_class = api_serializers.StockMoveSerializer

    def changed_since(self, queryset: QuerySet, moment) -> QuerySet:
        return queryset.filter(created_at__gte=moment)  # a move never changes

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        params = self.request.query_params
        queryset = _code_filter(queryset, params, "part_code", "spare_part__code__iexact")
        return super().filter_queryset(queryset)

    @extend_schema(parameters=[UPDATED_SINCE, AFTER_ID, PART])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(methods=["GET"], responses={200: api_serializers.StockMoveSerializer, 404: None})
    @extend_schema(
        methods=["PUT"],
        request=api_serializers.StockMoveWriteSerializer,
        responses={
            200: api_serializers.StockMoveSerializer,
            201: api_serializers.StockMoveSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="field -> messages: unknown part or warehouse, not enough stock...",
            ),
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, description="the reference names a different move"
            ),
        },
    )
    @action(detail=False, methods=["get", "put"], url_path=r"by-reference/(?P<code>[^/]+)")
    def by_reference(self, request, code):
        """GET a move by the ERP's reference; PUT records it once (idempotent by reference)."""
        _valid_code(code, "reference")
        if request.method == "GET":
            existing = self.get_queryset().filter(external_reference=code).first()
            if existing is None:
                raise NotFound
            return Response(self.get_serializer(existing).data)
        body = api_serializers.StockMoveWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = record_erp_move(reference=code, values=body.as_values())
        if outcome.errors:
            raise ValidationError(outcome.errors)
        if outcome.action == "conflict":
            return Response(
                {"detail": _("A different stock move was already recorded with this reference.")},
                status=status.HTTP_409_CONFLICT,
            )
        move = self.get_queryset().get(pk=outcome.move.pk)
        return Response(
            self.get_serializer(move).data,
            status=status.HTTP_201_CREATED if outcome.action == "created" else status.HTTP_200_OK,
            headers={"X-Upsert-Action": outcome.action},
        )


@csrf_exempt  # like every API view: token authentication, no session, no CSRF cookie
def not_found(request, *args, **kwargs) -> JsonResponse:
    """An address under /api/v1/ that names no resource: JSON like every API answer."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
