"""Price lists (tariffari) with their rates, and quotes (preventivi) built from them.

A quote copies everything it needs from its price list when it is made: the list's name and
currency, and each rate's code, description (in the customer's language), unit and price. A later
change to the price list therefore never alters a quote already given to a customer.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Contact, Customer
from service_portal.history import StatusChange
from service_portal.models import Audited, TimeStamped, Versioned
from service_portal.money import HUNDRED, ZERO, Totals, line_net, single_rate_totals

# The largest quantity a quote line accepts: well above any real job (hours, km, pieces), low
# enough to catch a typo such as an extra zero or a pasted serial number.
MAX_QUANTITY = Decimal("9999.99")


class RateKind(models.TextChoices):
    LABOUR_HOUR = "labour_hour", _("Labour hour")
    OVERTIME_HOUR = "overtime_hour", _("Overtime labour hour")
    HOLIDAY_HOUR = "holiday_hour", _("Holiday labour hour")
    TRAVEL_HOUR = "travel_hour", _("Travel hour")
    KM = "km", _("Kilometre")
    CALL_OUT = "call_out", _("Call-out fee")
    FIXED_PRICE = "fixed_price", _("Fixed price")
    OTHER = "other", _("Other")


class PriceListQuerySet(models.QuerySet):
    def valid_on(self, day) -> PriceListQuerySet:
        return self.filter(active=True, valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )


class PriceList(TimeStamped, Versioned):
    """A set of rates. Standard lists have no customer; a customer's own list has one.

    The warranty list prices everything at zero: work on a unit under warranty is quoted with it
    so the customer sees the work without paying for it.
    """

    name = models.CharField(_("name"), max_length=120)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="price_lists",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        help_text=_("Only for a customer's own price list; leave empty for a standard list."),
    )
    # A service contract's list prices what the contract does not cover, before the customer's
    # own list (docs/invoicing.md, "Pricing order"); the contract is below this app, so the link
    # is here and billing reads it from the contract (``contract.price_lists``).
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        related_name="price_lists",
        verbose_name=_("service contract"),
        null=True,
        blank=True,
        help_text=_("Prices what this contract does not cover."),
    )
    is_warranty = models.BooleanField(
        _("warranty list"),
        default=False,
        help_text=_("Used for units under warranty; its rates are normally at zero."),
    )
    # The last step of the pricing order (docs/invoicing.md): work without a quote, a customer
    # list or a list of its intervention type is billed at this list's rates.
    is_default = models.BooleanField(
        _("company default list"),
        default=False,
        help_text=_("Prices work that has no quote, no customer list and no list of its type."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    active = models.BooleanField(pgettext_lazy("price list", "active"), default=True)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)

    objects = PriceListQuerySet.as_manager()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-valid_from", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="pricelist_valid_to_after_from",
                violation_error_message=_("The end of validity cannot precede its start."),
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="pricelist_one_default",
                violation_error_message=_("Another price list is already the company default."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("quotes:pricelist_detail", args=[self.pk])


class Rate(models.Model):
    """One priced item of a price list: labour hour, travel hour, km, call-out fee..."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="rates", verbose_name=_("price list")
    )
    code = models.CharField(_("code"), max_length=30)
    description = models.CharField(_("description"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=RateKind.choices)
    unit = models.CharField(
        pgettext_lazy("unit of measure", "unit"), max_length=20, help_text=_("E.g. h, km, pcs.")
    )
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["price_list", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "code"],
                name="rate_unique_code_per_list",
                violation_error_message=_("This price list already has a rate with this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="rate_price_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"

    def description_in(self, language: str) -> str:
        """The description in ``language``, falling back to the default one."""
        return getattr(self, f"description_{language}", None) or self.description


class QuoteState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    ACCEPTED = "accepted", pgettext_lazy("quote state", "Accepted")
    DECLINED = "declined", pgettext_lazy("quote state", "Declined")
    SUPERSEDED = "superseded", _("Superseded")


class Quote(Audited):
    """The estimate for one intervention, built from a price list and frozen from then on."""

    created_by_label = pgettext_lazy("quote", "created by")

    code = models.CharField(_("code"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("customer")
    )
    price_list = models.ForeignKey(
        PriceList, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("price list")
    )
    price_list_name = models.CharField(_("price list name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
    )
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    state = models.CharField(
        _("state"), max_length=20, choices=QuoteState.choices, default=QuoteState.DRAFT
    )
    # The customer as it was when the quote was confirmed (service_portal.parties); a draft
    # prints the customer as it is now.
    issued_parties = models.JSONField(_("parties as issued"), default=dict, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
    )
    # Sent to the customer for acceptance (``quotes.services.send_quote``) and their answer
    # through the signed link, kept when a revision supersedes it.
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent to"),
        null=True,
        blank=True,
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decision = models.CharField(
        _("customer's answer"),
        max_length=20,
        blank=True,
        choices=[
            (QuoteState.ACCEPTED, QuoteState.ACCEPTED.label),
            (QuoteState.DECLINED, QuoteState.DECLINED.label),
        ],
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    decision_reason = models.TextField(_("reason for declining"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-pk"]
        permissions = [("change_quote_prices", _("Can change prices and discounts of quotes"))]
        # The quote list is newest first: its first page reads the index only.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="quote_list_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vat_rate__gte=0, vat_rate__lte=100),
                name="quote_vat_rate_range",
                violation_error_message=_("The VAT rate must be between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("quotes:quote_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state == QuoteState.DRAFT

    @property
    def awaits_answer(self) -> bool:
        """Sent to the customer, who has not answered yet."""
        return self.state == QuoteState.CONFIRMED and self.sent_at is not None

    def totals(self, lines=None) -> Totals:
        """Taxable, VAT and total of ``lines`` (default: the saved, possibly prefetched, lines)."""
        lines = self.lines.all() if lines is None else lines
        return single_rate_totals(
            [line_net(line.quantity, line.unit_price, line.discount) for line in lines],
            self.vat_rate,
        )


class QuoteLine(models.Model):
    """A line of a quote: a frozen copy of a rate (or a free line) with its quantity."""

    quote = models.ForeignKey(
        Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote")
    )
    # Kept (not frozen) so the actual hours can be compared with the quoted ones by kind.
    rate = models.ForeignKey(
        Rate,
        on_delete=models.SET_NULL,
        related_name="quote_lines",
        verbose_name=_("rate"),
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RateKind.choices)
    code = models.CharField(_("code"), max_length=30, blank=True)
    description = models.CharField(_("description"), max_length=200)
    unit = models.CharField(pgettext_lazy("unit of measure", "unit"), max_length=20, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_QUANTITY)],
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    discount = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, quantity__lte=MAX_QUANTITY),
                name="quoteline_quantity_range",
                violation_error_message=_("The quantity must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, discount__lte=100),
                name="quoteline_discount_range",
                violation_error_message=_("The discount must be between 0 and 100%."),
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0),
                name="quoteline_price_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}".strip()

    @property
    def net(self) -> Decimal:
        return line_net(self.quantity, self.unit_price, self.discount)


class QuoteEvent(StatusChange):
    """Append-only history of a quote: created, lines changed (no change of state: ``to_state``
    empty), confirmed, superseded."""

    quote = models.ForeignKey(
        Quote, on_delete=models.CASCADE, related_name="events", verbose_name=_("quote")
    )
    action = models.CharField(_("action"), max_length=30)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    # The customer's answer through the link has no user: their name is ``by_name``.
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
        verbose_name = _("quote event")
        verbose_name_plural = _("quote events")
        ordering = ["quote", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
