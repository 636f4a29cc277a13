"""The installed base: customers, their sites and contacts, machine models and serial numbers."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.countries import COUNTRIES
from customers.fiscal import VatRegime, fiscal_errors
from customers.validators import (
    normalise_fiscal_code,
    normalise_phone,
    normalise_vat,
    phone_uri,
    validate_external_code,
)
from service_portal.choices import CachedChoiceLabels
from service_portal.links import reverse_ids
from service_portal.models import TimeStamped, Versioned
from service_portal.text_search import contains_folded


class ExternalCode(models.Model):
    """The record's code in the company's ERP: the key of API upserts and file imports.

    Blank for records created in the portal; unique among the non-blank ones (each concrete model
    adds its own conditional constraint, because constraint names are per table).
    """

    external_code = models.CharField(
        _("external code"),
        max_length=64,
        blank=True,
        validators=[validate_external_code],
        help_text=_("The code of this record in the ERP (letters, digits, . _ : -)."),
    )

    class Meta:
        abstract = True


def external_code_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["external_code"],
        condition=~models.Q(external_code=""),
        name=name,
        violation_error_message=_("Another record already has this external code."),
    )


class Address(CachedChoiceLabels, models.Model):
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province / state"), max_length=50, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, default="IT")

    class Meta:
        abstract = True

    @property
    def full_address(self) -> str:
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        if self.province:
            place = f"{place} ({self.province})" if place else self.province
        return ", ".join(p for p in (self.address, place, self.get_country_display()) if p)


class CustomerQuerySet(models.QuerySet):
    def matching(self, text: str) -> CustomerQuerySet:
        """The customers whose name contains ``text`` whatever its accents and case ("garcia"
        finds "Talleres García"), or whose VAT number or fiscal code contains it as typed with
        or without spaces, dots and dashes (the pickers' and the searches' customer)."""
        condition = contains_folded("name", text)
        compact = "".join(ch for ch in text.upper() if ch.isalnum())
        if compact:
            condition |= models.Q(vat_number__contains=compact)
            condition |= models.Q(fiscal_code__contains=compact)
        return self.filter(condition)


class Customer(Address, ExternalCode, TimeStamped, Versioned):
    """A company that owns machines (ragione sociale), with its billing data."""

    name = models.CharField(_("company name"), max_length=200)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    fiscal_code = models.CharField(_("fiscal code"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("For invoices and documents."))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="it",
        help_text=_("Offers, reports and invoices are sent in this language."),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    is_active = models.BooleanField(_("active"), default=True)
    # Fiscal data the e-invoice (FatturaPA) and art. 21 DPR 633/72 need.
    vat_regime = models.CharField(
        _("VAT regime"), max_length=12, choices=VatRegime.choices, default=VatRegime.ITALIAN
    )
    sdi_code = models.CharField(
        _("SDI recipient code"),
        max_length=7,
        blank=True,
        help_text=_(
            "7 characters; 0000000 when invoices go to the PEC address or the tax drawer; "
            "XXXXXXX for customers abroad; 6 characters (office code) for a public "
            "administration."
        ),
    )
    pec = models.EmailField(_("PEC"), blank=True, help_text=_("Certified e-mail address."))
    is_public_administration = models.BooleanField(
        _("public administration"),
        default=False,
        help_text=_("Invoiced in the FPA12 format, with split payment."),
    )
    payment_term = models.ForeignKey(
        "service_portal.PaymentTerm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment term"),
        help_text=_("Empty: the company's default payment term."),
    )
    # A head office that pays for this customer's plants: the calls of this customer are
    # invoiced to it (issue 19). One level only: a billing customer pays for itself.
    billing_customer = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="billed_customers",
        verbose_name=_("billing customer"),
        null=True,
        blank=True,
        help_text=_("Invoice this customer's calls to another customer (e.g. its head office)."),
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(Upper("name"), name="customer_name_upper_idx"),
            models.Index(fields=["name", "id"], name="customer_list_order_idx"),
            models.Index(fields=["vat_number"], name="customer_vat_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["vat_number"],
                condition=~models.Q(vat_number=""),
                name="customer_vat_unique",
                violation_error_message=_("Another customer already has this VAT number."),
            ),
            external_code_unique("customer_external_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_ids("customers:customer_detail", self.pk)

    def clean(self) -> None:
        errors = {}
        for field, normalise in (
            ("vat_number", normalise_vat),
            ("fiscal_code", normalise_fiscal_code),
        ):
            try:
                setattr(self, field, normalise(getattr(self, field), self.country))
            except ValidationError as exc:
                errors[field] = exc
        try:
            self.phone = normalise_phone(self.phone, self.country)
        except ValidationError as exc:
            errors["phone"] = exc
        errors.update(fiscal_errors(self))
        billing_error = self.billing_customer_error()
        if billing_error:
            errors["billing_customer"] = ValidationError(billing_error)
        if errors:
            raise ValidationError(errors)

    def billing_customer_error(self) -> str:
        """Why ``billing_customer`` is not allowed ('' when it is): one level, no cycle."""
        payer_id = self.billing_customer_id
        if payer_id is None:
            return ""
        if self.pk is not None and payer_id == self.pk:
            return str(_("A customer cannot be its own billing customer."))
        if self.pk is not None and Customer.objects.filter(billing_customer_id=self.pk).exists():
            return str(
                _(
                    "This customer is the billing customer of others: it cannot be billed "
                    "to another customer."
                )
            )
        if Customer.objects.filter(pk=payer_id, billing_customer__isnull=False).exists():
            return str(
                _(
                    "The chosen billing customer is itself billed to another customer: "
                    "choose that one."
                )
            )
        return ""

    @property
    def payer_id(self) -> int:
        """The customer its invoices go to: its billing customer, or itself."""
        return self.billing_customer_id or self.pk

    @property
    def phone_uri(self) -> str:
        return phone_uri(self.phone)


class Site(Address, ExternalCode, TimeStamped, Versioned):
    """One of a customer's addresses where machines are installed (sede)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="sites", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("E.g. Head office, Plant 2."))
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["customer__name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "name"],
                name="site_unique_name_per_customer",
                violation_error_message=_("This customer already has a site with this name."),
            ),
            external_code_unique("site_external_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.city}" if self.city else self.name

    def get_absolute_url(self) -> str:
        return reverse_ids("customers:site_detail", self.pk)


class Contact(ExternalCode, TimeStamped, Versioned):
    """A person at a customer (and optionally at one of its sites)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("customer")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("site"),
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(Upper("name"), name="contact_name_upper_idx"),
            # The list's order: a search that matches most contacts reads the first page off
            # this index instead of sorting every match.
            models.Index(fields=["name", "id"], name="contact_list_order_idx"),
        ]
        constraints = [external_code_unique("contact_external_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name

    def get_absolute_url(self) -> str:
        return reverse_ids("customers:contact_detail", self.pk)

    def clean(self) -> None:
        errors = {}
        if self.site_id and self.customer_id and self.site.customer_id != self.customer_id:
            errors["site"] = ValidationError(
                _("The site must belong to the contact's customer."), code="site_customer"
            )
        country = (
            self.site.country
            if self.site_id
            else (self.customer.country if self.customer_id else "IT")
        )
        for field in ("phone", "mobile"):
            try:
                setattr(self, field, normalise_phone(getattr(self, field), country))
            except ValidationError as exc:
                errors[field] = exc
        if errors:
            raise ValidationError(errors)

    @property
    def phone_uri(self) -> str:
        return phone_uri(self.phone)

    @property
    def mobile_uri(self) -> str:
        return phone_uri(self.mobile)


class Product(ExternalCode, TimeStamped, Versioned):
    """A machine model; its description is translatable."""

    code = models.CharField(_("model code"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [external_code_unique("product_external_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"

    def get_absolute_url(self) -> str:
        return reverse_ids("customers:product_detail", self.pk)


class UnitQuerySet(models.QuerySet):
    def with_relations(self) -> UnitQuerySet:
        return self.select_related("product", "site", "site__customer")


class Unit(ExternalCode, TimeStamped, Versioned):
    """One installed machine, identified by its serial number (matricola) within its model."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="units", verbose_name=_("product")
    )
    serial_number = models.CharField(_("serial number"), max_length=60)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="units", verbose_name=_("site")
    )
    installation_date = models.DateField(_("installation date"), null=True, blank=True)
    warranty_end = models.DateField(_("end of warranty"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["serial_number", "pk"]
        indexes = [
            models.Index(Upper("serial_number"), name="unit_serial_upper_idx"),
            # The unit list is ordered by serial number: the first page reads the index only.
            models.Index(fields=["serial_number", "id"], name="unit_list_order_idx"),
            # A call's product is its unit's: the dashboard's top products look up the product
            # of each call of the period in the index alone (INCLUDE, PostgreSQL only).
            models.Index(fields=["id"], name="unit_product_idx", include=["product"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "serial_number"],
                name="unit_unique_serial_per_product",
                violation_error_message=_(
                    "A unit with this serial number already exists for this product."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(warranty_end__isnull=True)
                | models.Q(installation_date__isnull=True)
                | models.Q(warranty_end__gte=models.F("installation_date")),
                name="unit_warranty_after_installation",
                violation_error_message=_("The warranty cannot end before the installation."),
            ),
            external_code_unique("unit_external_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.serial_number} ({self.product.code})"

    def get_absolute_url(self) -> str:
        return reverse_ids("customers:unit_detail", self.pk)

    @property
    def customer(self) -> Customer:
        return self.site.customer

    def under_warranty(self, on: datetime.date | None = None) -> bool:
        return warranty_covers(self.warranty_end, on or timezone.localdate())


def warranty_covers(warranty_end: datetime.date | None, on: datetime.date) -> bool:
    """Whether a unit whose warranty ends on ``warranty_end`` is under warranty ``on`` that day
    (``Unit.under_warranty``; the unit list's rows, read as values, ask it directly)."""
    return warranty_end is not None and warranty_end >= on
