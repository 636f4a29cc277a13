"""JSON shapes of the installed base. Relations are written by code (the ERP's keys), and read
both as portal ids and as codes. Validation beyond types is the models' own (``full_clean`` in
``customers.importing.upsert``), so the API, the import and the portal forms agree."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from calls.models import Call, Intervention, PartUsed
from customers.models import Contact, Customer, Product, Site, Unit
from invoicing.models import Invoice, InvoiceDueDate, InvoiceLine, Payment
from orders.models import Offer, Order, SparePart
from service_portal.i18n import localized_fields
from service_portal.money import line_net
from stock.models import MoveKind, StockLevel, StockMove, Warehouse

_TIMESTAMPS = ("created_at", "updated_at")
_ADDRESS = ("address", "postal_code", "city", "province", "country")


class CodeField(serializers.SlugRelatedField):
    """A related record named by its code; unknown codes are a validation error, not a 500."""

    default_error_messages = {
        "does_not_exist": _("No record with code %(value)s."),
        "invalid": _("Invalid code."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 100:
            self.fail("invalid")
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except self.get_queryset().model.DoesNotExist:
            raise serializers.ValidationError(
                self.error_messages["does_not_exist"] % {"value": data}
            ) from None

    def to_representation(self, obj):
        return getattr(obj, self.slug_field)  # "" for records without an external code


class BaseSerializer(serializers.ModelSerializer):
    class Meta:
        # Uniqueness and cross-field rules are checked by the model (full_clean) in the upsert.
        validators: list = []


class CustomerSerializer(BaseSerializer):
    class Meta(BaseSerializer.Meta):
        model = Customer
        fields = (
            "id",
            "external_code",
            "name",
            "vat_number",
            "fiscal_code",
            "email",
            "phone",
            *_ADDRESS,
            "language",
            "notes",
            "is_active",
            # The fiscal data of the FatturaPA (issue 18), checked by the model like the forms.
            "vat_regime",
            "sdi_code",
            "pec",
            "is_public_administration",
            *_TIMESTAMPS,
        )
        read_only_fields = ("id", "external_code", *_TIMESTAMPS)
        extra_kwargs = {"vat_number": {"validators": []}}


class SiteSerializer(BaseSerializer):
    customer_code = CodeField(
        source="customer", slug_field="external_code", queryset=Customer.objects.all()
    )

    class Meta(BaseSerializer.Meta):
        model = Site
        fields = (
            "id",
            "external_code",
            "customer",
            "customer_code",
            "name",
            *_ADDRESS,
            "notes",
            "is_active",
            *_TIMESTAMPS,
        )
        read_only_fields = ("id", "external_code", "customer", *_TIMESTAMPS)


class ContactSerializer(BaseSerializer):
    customer_code = CodeField(source="customer", slug_field="external_code", read_only=True)
    site_code = CodeField(
        source="site", slug_field="external_code", read_only=True, allow_null=True
    )

    class Meta(BaseSerializer.Meta):
        model = Contact
        fields = (
            "id",
            "external_code",
            "customer",
            "customer_code",
            "site",
            "site_code",
            "name",
            "role",
            "phone",
            "mobile",
            "email",
            "is_active",
            *_TIMESTAMPS,
        )
        read_only_fields = fields


class ProductSerializer(BaseSerializer):
    class Meta(BaseSerializer.Meta):
        model = Product
        fields = (
            "id",
            "external_code",
            "code",
            "description",
            *localized_fields("description"),
            "is_active",
            *_TIMESTAMPS,
        )
        read_only_fields = fields


class UnitSerializer(BaseSerializer):
    product_code = CodeField(source="product", slug_field="code", queryset=Product.objects.all())
    site_code = CodeField(source="site", slug_field="external_code", queryset=Site.objects.all())
    customer = serializers.IntegerField(source="site.customer_id", read_only=True)

    class Meta(BaseSerializer.Meta):
        model = Unit
        fields = (
            "id",
            "external_code",
            "product",
            "product_code",
            "serial_number",
            "site",
            "site_code",
            "customer",
            "installation_date",
            "warranty_end",
            "notes",
            "is_active",
            *_TIMESTAMPS,
        )
        read_only_fields = ("id", "external_code", "product", "site", *_TIMESTAMPS)


# --- Service: calls and interventions (read only) ----------------------------------------
class _Money(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, read_only=True, **kwargs)


class CallSerializer(BaseSerializer):
    customer_code = CodeField(source="customer", slug_field="external_code", read_only=True)
    site_code = CodeField(source="site", slug_field="external_code", read_only=True)
    unit_code = CodeField(source="unit", slug_field="external_code", read_only=True)
    serial_number = serializers.CharField(source="unit.serial_number", read_only=True)

    class Meta(BaseSerializer.Meta):
        model = Call
        fields = (
            "id",
            "code",
            "received_at",
            "channel",
            "priority",
            "status",
            "customer",
            "customer_code",
            "site",
            "site_code",
            "contact",
            "unit",
            "unit_code",
            "serial_number",
            "description",
            *_TIMESTAMPS,
        )
        read_only_fields = fields


class QuoteSummarySerializer(serializers.Serializer):
    """The intervention's quote and its totals (net of discounts; VAT at the quote's rate)."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    state = serializers.CharField()
    currency = serializers.CharField()
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    taxable = _Money(source="totals.taxable")
    vat = _Money(source="totals.vat")
    total = _Money(source="totals.total")

    def to_representation(self, quote):
        quote.totals = quote.totals()  # the prefetched lines, computed once
        return super().to_representation(quote)


class InterventionSerializer(BaseSerializer):
    call_code = serializers.CharField(source="call.code", read_only=True)
    type = serializers.CharField(source="type.code", read_only=True, allow_null=True)
    type_name = serializers.CharField(source="type.name", read_only=True, allow_null=True)
    is_warranty = serializers.BooleanField(source="type.is_warranty", read_only=True)
    technician_username = serializers.CharField(
        source="technician.username", read_only=True, allow_null=True
    )
    technician_name = serializers.SerializerMethodField()
    quote = QuoteSummarySerializer(read_only=True, allow_null=True)

    class Meta(BaseSerializer.Meta):
        model = Intervention
        fields = (
            "id",
            "code",
            "call",
            "call_code",
            "number",
            "type",
            "type_name",
            "is_warranty",
            "state",
            "state_changed_at",
            "requested_date",
            "expected_hours",
            "technician",
            "technician_username",
            "technician_name",
            "quote",
            "signed_by",
            "signed_at",
            *_TIMESTAMPS,
        )
        read_only_fields = fields

    def get_technician_name(self, intervention) -> str | None:
        technician = intervention.technician
        return None if technician is None else str(technician)


# --- Offers and orders (read only) ---------------------------------------------------------
class DocumentLineSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    spare_part = serializers.IntegerField(source="spare_part_id", allow_null=True)
    code = serializers.CharField()
    description = serializers.CharField()
    unit_of_measure = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    vat_code = serializers.CharField(source="vat_rate.code")
    vat_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    net = serializers.SerializerMethodField()

    def get_net(self, line) -> Decimal:
        net = line_net(line.quantity, line.unit_price, line.discount_percent)
        return serializers.DecimalField(max_digits=14, decimal_places=2).to_representation(net)


_PARTIES = (
    "customer",
    "customer_code",
    "site",
    "site_code",
    "contact",
    "unit",
    "unit_code",
    "billing_customer",
    "billing_customer_code",
)
_TERMS = (
    "language",
    "delivery_days",
    "payment_method",
    "delivery_term",
    "transport",
    "vat_code",
    "packing_included",
    "notes",
)
_TOTALS = ("taxable", "vat", "total", "lines")


class CommercialDocumentSerializer(BaseSerializer):
    customer_code = CodeField(source="customer", slug_field="external_code", read_only=True)
    site_code = CodeField(source="site", slug_field="external_code", read_only=True)
    unit_code = CodeField(source="unit", slug_field="external_code", read_only=True)
    billing_customer_code = CodeField(
        source="billing_customer", slug_field="external_code", read_only=True
    )
    payment_method = serializers.CharField(
        source="payment_method.name", read_only=True, allow_null=True
    )
    delivery_term = serializers.CharField(
        source="delivery_term.name", read_only=True, allow_null=True
    )
    transport = serializers.CharField(source="transport.name", read_only=True, allow_null=True)
    vat_code = serializers.CharField(
        source="vat_rate.code",
        read_only=True,
        allow_null=True,
        help_text=_("The document-wide VAT, if any; otherwise each line has its own."),
    )
    taxable = _Money(source="totals.taxable")
    vat = _Money(source="totals.vat")
    total = _Money(source="totals.total")
    lines = DocumentLineSerializer(many=True, read_only=True)


class OfferSerializer(CommercialDocumentSerializer):
    class Meta(BaseSerializer.Meta):
        model = Offer
        fields = (
            "id",
            "code",
            "revision",
            "state",
            "valid_until",
            "sent_at",
            "decided_at",
            *_PARTIES,
            *_TERMS,
            *_TOTALS,
            *_TIMESTAMPS,
        )
        read_only_fields = fields


class OrderSerializer(CommercialDocumentSerializer):
    offer_revision = serializers.IntegerField(source="offer.revision", read_only=True)

    class Meta(BaseSerializer.Meta):
        model = Order
        fields = (
            "id",
            "code",
            "state",
            "offer",
            "offer_revision",
            *_PARTIES,
            *_TERMS,
            *_TOTALS,
            *_TIMESTAMPS,
        )
        read_only_fields = fields


# --- Invoices and credit notes (read only) -------------------------------------------------
class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = (
            "position",
            "call_code",
            "intervention_code",
            "kind",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "vat_rate",
            "note",
        )
        read_only_fields = fields


class DueDateSerializer(BaseSerializer):
    class Meta(BaseSerializer.Meta):
        model = InvoiceDueDate
        fields = ("due_date", "amount")
        read_only_fields = fields


class InvoiceSerializer(BaseSerializer):
    number = serializers.CharField(source="code", read_only=True)
    number_in_year = serializers.IntegerField(source="number", read_only=True)
    customer_code = CodeField(source="customer", slug_field="external_code", read_only=True)
    credited_number = serializers.CharField(source="credited.code", read_only=True, allow_null=True)
    call_codes = serializers.SlugRelatedField(
        source="calls", slug_field="code", many=True, read_only=True
    )
    lines = InvoiceLineSerializer(many=True, read_only=True)
    payment_term = serializers.CharField(
        source="payment_terms.name", read_only=True, allow_null=True, default=None
    )
    due_dates = DueDateSerializer(many=True, read_only=True)

    class Meta(BaseSerializer.Meta):
        model = Invoice
        fields = (
            "id",
            "kind",
            "state",
            "number",
            "year",
            "number_in_year",
            "issue_date",
            "issued_at",
            "customer",
            "customer_code",
            "customer_name",
            "customer_vat_number",
            "customer_fiscal_code",
            "customer_address",
            "customer_email",
            "language",
            "credited",
            "credited_number",
            "reason",
            "call_codes",
            "taxable",
            "vat",
            "total",
            "lines",
            "payment_term",
            "due_dates",
        )
        read_only_fields = fields


class PaymentSerializer(BaseSerializer):
    """A payment as the portal holds it; ``invoice_number`` names the invoice."""

    invoice_number = serializers.CharField(source="invoice.code", read_only=True)

    class Meta(BaseSerializer.Meta):
        model = Payment
        fields = (
            "id",
            "external_code",
            "invoice",
            "invoice_number",
            "date",
            "amount",
            "method",
            "reference",
            "source",
            "recorded_at",
        )
        read_only_fields = fields


class PaymentWriteSerializer(serializers.Serializer):
    """A payment received by the ERP: the invoice by its number (as printed), the date, the
    amount and the method as a FatturaPA ModalitaPagamento code (MP05 bank transfer...)."""

    invoice_number = serializers.CharField(max_length=20)
    date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    method = serializers.ChoiceField(choices=Payment._meta.get_field("method").choices)
    reference = serializers.CharField(max_length=140, required=False, allow_blank=True, default="")

    def validate_invoice_number(self, value: str) -> Invoice:
        if "\x00" in value:
            raise serializers.ValidationError(_("No issued invoice with this number."))
        invoice = Invoice.objects.filter(code=value).first()
        if invoice is None:
            raise serializers.ValidationError(_("No issued invoice with this number."))
        return invoice


# --- Spare parts ---------------------------------------------------------------------------
class SparePartSerializer(BaseSerializer):
    vat_code = serializers.CharField(source="vat_rate.code", read_only=True)
    vat_percent = serializers.DecimalField(
        source="vat_rate.rate", max_digits=5, decimal_places=2, read_only=True
    )
    products = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta(BaseSerializer.Meta):
        model = SparePart
        fields = (
            "id",
            "code",
            *localized_fields("description"),
            "unit_of_measure",
            "list_price",
            "vat_code",
            "vat_percent",
            "stock_quantity",
            "products",
            "is_active",
            *_TIMESTAMPS,
        )
        read_only_fields = fields


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}]})
class NumberText(serializers.Field):
    """A number as JSON sends it (12.5) or as text ("12,50"): checked by the catalogue's rules."""

    default_error_messages = {"invalid": _("Enter a number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str | Decimal):
            self.fail("invalid")
        text = str(data).strip()
        if len(text) > 40 or "\x00" in text:
            self.fail("invalid")
        return text


class SparePartWriteSerializer(serializers.Serializer):
    """A spare part as the ERP sends it; the values pass the import's rules (orders.importing).

    Fields left out keep their value; a new part needs ``list_price`` and a description.
    ``vat_code`` is a VAT rate's code (or its percentage when only one rate has it).
    """

    description_it = serializers.CharField(required=False, allow_blank=True, max_length=250)
    description_en = serializers.CharField(required=False, allow_blank=True, max_length=250)
    description_de = serializers.CharField(required=False, allow_blank=True, max_length=250)
    description_fr = serializers.CharField(required=False, allow_blank=True, max_length=250)
    description_es = serializers.CharField(required=False, allow_blank=True, max_length=250)
    unit_of_measure = serializers.CharField(required=False, allow_blank=True, max_length=10)
    list_price = NumberText(required=False)
    vat_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    stock_quantity = NumberText(required=False)
    products = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=1000
    )
    is_active = serializers.BooleanField(required=False)

    # API field -> column of the import file (and back, for its errors)
    COLUMNS = {"vat_code": "vat_rate", "is_active": "active"}

    def as_row(self) -> dict[str, str]:
        """The validated values as a row of the import file."""
        row: dict[str, str] = {}
        for name, value in self.validated_data.items():
            column = self.COLUMNS.get(name, name)
            if name == "products":
                row[column] = ";".join(value)
            elif name == "is_active":
                row[column] = "1" if value else "0"
            else:
                row[column] = value
        return row

    @classmethod
    def field_of(cls, column: str) -> str:
        by_column = {v: k for k, v in cls.COLUMNS.items()}
        return by_column.get(column, column) or api_settings.NON_FIELD_ERRORS_KEY


class StockLevelSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=50)
    stock_quantity = NumberText()


class StockLevelsSerializer(serializers.Serializer):
    items = StockLevelSerializer(many=True, allow_empty=False, max_length=1000)


# --- Warehouses and stock --------------------------------------------------------------------
class WarehouseSerializer(serializers.ModelSerializer):
    technician = serializers.CharField(source="technician.username", read_only=True, default=None)

    class Meta:
        model = Warehouse
        fields = ("id", "code", "name", "kind", "technician", "is_active")
        read_only_fields = fields


class StockLevelReadSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    part_code = serializers.CharField(source="spare_part.code", read_only=True)

    class Meta:
        model = StockLevel
        fields = ("id", "warehouse", "part_code", "quantity", "minimum", "maximum")
        read_only_fields = fields


class StockMoveSerializer(serializers.ModelSerializer):
    part_code = serializers.CharField(source="spare_part.code", read_only=True)
    from_warehouse = serializers.CharField(
        source="from_warehouse.code", read_only=True, default=None
    )
    to_warehouse = serializers.CharField(source="to_warehouse.code", read_only=True, default=None)
    reverses = serializers.IntegerField(source="reverses_id", read_only=True, default=None)

    class Meta:
        model = StockMove
        fields = (
            "id",
            "kind",
            "part_code",
            "quantity",
            "from_warehouse",
            "to_warehouse",
            "reason",
            "reference",
            "external_reference",
            "reverses",
            "created_at",
        )
        read_only_fields = fields


class StockMoveWriteSerializer(serializers.Serializer):
    """A move the ERP records: a receipt, transfer or adjustment (consumptions and returns
    come from the parts used on interventions). Warehouses and the part by their codes."""

    kind = serializers.ChoiceField(
        choices=[MoveKind.RECEIPT, MoveKind.TRANSFER, MoveKind.ADJUSTMENT]
    )
    part_code = serializers.CharField(max_length=50)
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("1000000")
    )
    from_warehouse = serializers.CharField(
        max_length=30, required=False, allow_null=True, default=None
    )
    to_warehouse = serializers.CharField(
        max_length=30, required=False, allow_null=True, default=None
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")

    def validate_part_code(self, value: str) -> SparePart:
        part = SparePart.objects.filter(code__iexact=value).first() if "\x00" not in value else None
        if part is None:
            raise serializers.ValidationError(_("No spare part has this code."))
        return part

    def _warehouse(self, value: str | None) -> Warehouse | None:
        if value in (None, ""):
            return None
        warehouse = Warehouse.objects.filter(code=value).first() if "\x00" not in value else None
        if warehouse is None:
            raise serializers.ValidationError(_("No warehouse has this code."))
        return warehouse

    def validate_from_warehouse(self, value):
        return self._warehouse(value)

    def validate_to_warehouse(self, value):
        return self._warehouse(value)

    def as_values(self) -> dict:
        values = dict(self.validated_data)
        values["spare_part"] = values.pop("part_code")
        return values


class PartUsedSerializer(serializers.ModelSerializer):
    part_code = serializers.CharField(source="code", read_only=True)
    warehouse = serializers.CharField(
        source="stock_move.from_warehouse.code", read_only=True, default=None
    )

    class Meta:
        model = PartUsed
        fields = (
            "id",
            "part_code",
            "description",
            "quantity",
            "unit_price",
            "discount_percent",
            "vat_rate",
            "serial_or_lot",
            "under_warranty",
            "order_code",
            "warehouse",
            "stock_move",
            "created_at",
        )
        read_only_fields = fields
