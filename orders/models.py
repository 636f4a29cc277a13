"""Spare-part catalogue, commercial terms, offers and the orders they become.

An offer is built as a draft (the wizard saves every step), then *sent*: from that moment it is
an issued document and is never edited again. A change after sending makes a new revision (a new
row with the same code and ``revision + 1``) and the old one is *superseded*. An accepted offer
converts into an order that keeps the offer's code and copies its data and lines.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from customers.models import Contact, Customer, Product, Site, Unit
from service_portal.history import StatusChange
from service_portal.models import Audited, TimeStamped, Versioned
from service_portal.money import HUNDRED, ZERO, Taxed, Totals, line_net, totals


def lines_totals(lines) -> Totals:
    """Totals of offer or order lines (``quantity``, ``unit_price``, ``discount_percent``,
    ``vat_percent``), with each line's net amount for the pages and the PDF."""
    nets = [
        (line, line_net(line.quantity, line.unit_price, line.discount_percent)) for line in lines
    ]
    return totals((Taxed(net, line.vat_percent) for line, net in nets), lines=nets)


# --- Terms master data --------------------------------------------------------------------
class Term(TimeStamped):
    """A translatable entry of a short list chosen on offers (payment, delivery, transport)."""

    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class PaymentMethod(Term):
    class Meta(Term.Meta):
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")


class DeliveryTerm(Term):
    """Resa: who pays and carries the risk of the delivery (delivered, carriage forward...)."""

    class Meta(Term.Meta):
        verbose_name = _("delivery terms")
        verbose_name_plural = _("delivery terms")


class Transport(Term):
    class Meta(Term.Meta):
        verbose_name = _("transport")
        verbose_name_plural = _("transports")


class VatNatura(models.TextChoices):
    """Why a line bears no VAT: the "Natura" codes of the FatturaPA 1.2.2 schema (NaturaType)."""

    N1 = "N1", _("N1 excluded (art. 15 DPR 633/72)")
    N2_1 = "N2.1", _("N2.1 not subject (arts. 7 to 7-septies DPR 633/72)")
    N2_2 = "N2.2", _("N2.2 not subject, other cases")
    N3_1 = "N3.1", _("N3.1 not taxable, exports")
    N3_2 = "N3.2", _("N3.2 not taxable, intra-EU supplies")
    N3_3 = "N3.3", _("N3.3 not taxable, supplies to San Marino")
    N3_4 = "N3.4", _("N3.4 not taxable, operations treated as exports")
    N3_5 = "N3.5", _("N3.5 not taxable, declarations of intent")
    N3_6 = "N3.6", _("N3.6 not taxable, other operations")
    N4 = "N4", _("N4 exempt")
    N5 = "N5", _("N5 margin scheme")
    N6_1 = "N6.1", _("N6.1 reverse charge, scrap")
    N6_2 = "N6.2", _("N6.2 reverse charge, gold and silver")
    N6_3 = "N6.3", _("N6.3 reverse charge, construction subcontracting")
    N6_4 = "N6.4", _("N6.4 reverse charge, buildings")
    N6_5 = "N6.5", _("N6.5 reverse charge, mobile phones")
    N6_6 = "N6.6", _("N6.6 reverse charge, electronic products")
    N6_7 = "N6.7", _("N6.7 reverse charge, construction services")
    N6_8 = "N6.8", _("N6.8 reverse charge, energy sector")
    N6_9 = "N6.9", _("N6.9 reverse charge, other cases")
    N7 = "N7", _("N7 VAT paid in another EU state")


class VatRate(Term):
    """A VAT code (master data): its rate and, at 0 %, why (the FatturaPA "Natura") with the
    legal reference printed on the document. The name says what it is in the reader's language
    (e.g. "22% ordinary", "Not taxable art. 8"); ``invoicing.vat`` chooses the code of each
    invoice line, ``orders.vat_codes`` lists the standard ones."""

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("As in the ERP."))
    rate = models.DecimalField(
        _("rate %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
    )
    natura = models.CharField(
        _("VAT nature"),
        max_length=4,
        choices=VatNatura.choices,
        blank=True,
        help_text=_("Required at 0 %: why the line bears no VAT (FatturaPA Natura)."),
    )
    legal_reference = models.CharField(
        _("legal reference"),
        max_length=250,
        blank=True,
        help_text=_("Printed on the invoice next to the lines at this code."),
    )

    class Meta(Term.Meta):
        verbose_name = _("VAT code")
        verbose_name_plural = _("VAT codes")

    def clean(self) -> None:
        # The FatturaPA rule: a Natura exactly when the rate is 0 (checked in the admin's form,
        # not by a constraint: codes imported from the ERP before this rule may lack it).
        super().clean()
        if self.rate is None:
            return
        if self.rate == 0 and not self.natura:
            raise ValidationError(
                {"natura": _("A VAT code at 0 % needs its nature (why no VAT is charged).")}
            )
        if self.rate != 0 and self.natura:
            raise ValidationError({"natura": _("Only a VAT code at 0 % has a nature.")})

    def __str__(self) -> str:
        return self.name


# --- Catalogue ----------------------------------------------------------------------------
class SparePart(TimeStamped):
    """A catalogue article (ricambio), kept in step with the ERP by ``import_spare_parts``."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=250)
    products = models.ManyToManyField(
        Product, related_name="spare_parts", verbose_name=_("fits products"), blank=True
    )
    unit_of_measure = models.CharField(_("unit of measure"), max_length=10, default="pz")
    list_price = models.DecimalField(
        _("list price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    vat_rate = models.ForeignKey(
        VatRate, on_delete=models.PROTECT, related_name="+", verbose_name=_("VAT rate")
    )
    stock_quantity = models.DecimalField(
        _("stock quantity"), max_digits=12, decimal_places=3, default=ZERO
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")
        ordering = ["code"]
        indexes = [models.Index(Upper("code"), name="sparepart_code_upper_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0), name="sparepart_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"


# --- Offers and orders --------------------------------------------------------------------
class CommercialDocument(Audited):
    """What an offer and its order share: parties, terms and the frozen language."""

    code = models.CharField(_("code"), max_length=30)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
        null=True,
        blank=True,
    )
    billing_customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("billing customer")
    )
    billing_site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("billing site"),
        null=True,
        blank=True,
    )
    billing_contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("billing contact"),
        null=True,
        blank=True,
    )
    delivery_days = models.PositiveSmallIntegerField(
        _("delivery (days from order)"), null=True, blank=True
    )
    payment_method = models.ForeignKey(
        PaymentMethod,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payment"),
        null=True,
        blank=True,
    )
    vat_rate = models.ForeignKey(
        VatRate,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("VAT"),
        null=True,
        blank=True,
        help_text=_("Leave empty to apply each part's own VAT rate."),
    )
    delivery_term = models.ForeignKey(
        DeliveryTerm,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delivery terms"),
        null=True,
        blank=True,
    )
    transport = models.ForeignKey(
        Transport,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transport"),
        null=True,
        blank=True,
    )
    packing_included = models.BooleanField(_("packing included"), default=True)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    show_prices = models.BooleanField(
        _("show prices on the document"),
        default=True,
        help_text=_("When off, the customer's document lists the parts without prices."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        abstract = True

    @cached_property
    def totals(self) -> Totals:
        """The totals (``service_portal.money``; uses prefetched lines when the list has them)."""
        return lines_totals(self.lines.all())


class OfferState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", _("expired")
    CANCELLED = "cancelled", _("cancelled")
    SUPERSEDED = "superseded", _("superseded by a new revision")


class OfferQuerySet(models.QuerySet):
    def with_relations(self) -> OfferQuerySet:
        return self.select_related("customer", "site", "contact", "unit", "unit__product")

    def with_lines(self) -> OfferQuerySet:
        """Lines in one extra query, for lists and exports that show totals."""
        return self.prefetch_related(
            models.Prefetch("lines", queryset=OfferLine.objects.select_related("vat_rate"))
        )


class Offer(CommercialDocument):
    """A spare-part offer; ``(code, revision)`` identifies one issued version."""

    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    previous_revision = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="next_revision",
        null=True,
        blank=True,
        verbose_name=_("previous revision"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=OfferState.choices, default=OfferState.DRAFT
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    decision_channel = models.CharField(_("received by"), max_length=20, blank=True)
    decision_reason = models.TextField(_("reason for declining"), blank=True, max_length=2000)
    # The parties' names and addresses as they were when the offer was sent (frozen document).
    issued_parties = models.JSONField(_("parties as issued"), default=dict, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["code", "revision"], name="offer_code_revision_unique")
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="offer_state_created_idx"),
            # The list is newest first: the first page reads the index only.
            models.Index(fields=["created_at", "id"], name="offer_list_order_idx"),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return f"{self.code} rev. {self.revision}" if self.revision else self.code

    def get_absolute_url(self) -> str:
        return reverse("orders:offer_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == OfferState.DRAFT


class DocumentLine(models.Model):
    """A line with its price data copied from the catalogue at the time it was added."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    spare_part = models.ForeignKey(
        SparePart,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("spare part"),
        null=True,
        blank=True,
    )
    code = models.CharField(_("code"), max_length=50)
    description = models.CharField(_("description"), max_length=250)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=10)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    discount_percent = models.DecimalField(
        _("discount %"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
    )
    vat_rate = models.ForeignKey(
        VatRate, on_delete=models.PROTECT, related_name="+", verbose_name=_("VAT rate")
    )
    vat_percent = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.code} x {self.quantity}"


class OfferLine(DocumentLine, Versioned):
    # Its version refuses a cart form based on an older one (two clerks editing the same line,
    # or a line whose quantity an "add" raised meanwhile).
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        verbose_name = _("offer line")
        verbose_name_plural = _("offer lines")


class StateChange(StatusChange):
    """Append-only history of a document's states: who (a user, or the customer named through
    the acceptance link, when ``by`` is empty) and when."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("by"),
    )
    by_name = models.CharField(_("by (name)"), max_length=150, blank=True)

    class Meta(StatusChange.Meta):
        abstract = True


class OfferStateChange(StateChange):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="history")

    @property
    def to_label(self) -> str:
        return OfferState(self.to_state).label


class OrderState(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    PARTLY_SHIPPED = "partly_shipped", _("partly shipped")
    SHIPPED = "shipped", _("shipped")
    DELIVERED = "delivered", _("delivered")
    CANCELLED = "cancelled", _("cancelled")


class OrderQuerySet(models.QuerySet):
    def with_relations(self) -> OrderQuerySet:
        return self.select_related("customer", "site", "contact", "unit", "unit__product", "offer")

    def with_lines(self) -> OrderQuerySet:
        return self.prefetch_related(
            models.Prefetch("lines", queryset=OrderLine.objects.select_related("vat_rate"))
        )


class Order(CommercialDocument):
    """The order an accepted offer became: same code, data copied from the offer."""

    offer = models.OneToOneField(
        Offer, on_delete=models.PROTECT, related_name="order", verbose_name=_("offer")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=OrderState.choices, default=OrderState.CONFIRMED
    )
    issued_parties = models.JSONField(_("parties as issued"), default=dict, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["code"], name="order_code_unique")]
        indexes = [models.Index(fields=["created_at", "id"], name="order_list_order_idx")]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.pk])

    @property
    def expected_delivery(self) -> datetime.date | None:
        """The promised delivery: the order's date plus its delivery days (None without them)."""
        if self.delivery_days is None:
            return None
        return timezone.localdate(self.created_at) + datetime.timedelta(days=self.delivery_days)


class OrderLine(DocumentLine):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")


class OrderStateChange(StateChange):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")

    @property
    def to_label(self) -> str:
        return OrderState(self.to_state).label


# --- Shipments and delivery notes ---------------------------------------------------------
class Shipment(models.Model):
    """Goods of an order that left together, with their delivery note (DDT).

    The note's number comes from its own gapless series (``orders.shipping.DDT_SERIES``), one
    per year. Recorded in the portal (``created_by``) or by the ERP through the API
    (``erp_reference``, its own id of the shipment, which makes a repeated request harmless).
    A shipment is never edited: the goods have left.
    """

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    carrier = models.CharField(_("carrier"), max_length=150)
    packages = models.PositiveSmallIntegerField(
        _("packages"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    erp_reference = models.CharField(
        _("ERP reference"), max_length=60, unique=True, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="shipment_ddt_number_unique")
        ]

    def __str__(self) -> str:
        return self.ddt_code

    @property
    def ddt_code(self) -> str:
        return f"{self.year}/{self.number:05d}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="shipped", verbose_name=_("order line")
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="shipmentline_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} x {self.quantity}"
