"""JSON shapes of the installed base. Relations are written by code (the ERP's keys), and read
both as portal ids and as codes. Validation beyond types is the models' own (``full_clean`` in
``customers.importing.upsert``), so the API, the import and the portal forms agree."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.models import Contact, Customer, Product, Site, Unit
from service_portal.i18n import localized_fields

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
