"""Service contracts (contratti di assistenza) and the company's working calendar.

A contract covers some of a customer's units (or all the units of some of its sites) for a
period; it says how each kind of work is billed (included, discounted, billed), the periodic fee
and the response and resolution targets per priority that the SLA clocks of ``calls`` count in
business hours (``contracts.calendar``). The price list for what is not covered lives in
``quotes`` (above this app): ``quotes.PriceList.contract`` points here and billing reads it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Site, Unit
from service_portal.models import TimeStamped, Versioned


class Priority(models.TextChoices):
    """A call's priority; the SLA targets are set per priority (``calls`` uses these)."""

    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent (machine stopped)")


class Coverage(models.TextChoices):
    INCLUDED = "included", _("Included")
    DISCOUNTED = "discounted", _("Discounted")
    BILLED = "billed", _("Billed")


class FeePeriod(models.TextChoices):
    NONE = "none", _("No fee")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


# Months per fee period.
FEE_MONTHS = {FeePeriod.MONTHLY: 1, FeePeriod.QUARTERLY: 3, FeePeriod.YEARLY: 12}

# The kinds of work a contract covers, each with its mode and discount field.
COVERED_KINDS = ("labour", "travel", "call_out", "parts")

_PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _coverage_field(label: str) -> models.CharField:
    return models.CharField(label, max_length=12, choices=Coverage.choices, default=Coverage.BILLED)


def _discount_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=5, decimal_places=2, default=Decimal(0), validators=_PERCENT
    )


class ContractQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> ContractQuerySet:
        return self.filter(is_active=True, start_date__lte=day).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=day)
        )

    def covering(self, unit: Unit | None, site: Site | None, day: datetime.date) -> Contract | None:
        """The contract covering ``unit`` (listed, or its site listed) on ``day``; the latest
        started wins when two overlap."""
        condition = models.Q()
        if unit is not None:
            condition |= models.Q(units=unit)
        if site is not None:
            condition |= models.Q(sites=site)
        if not condition:
            return None
        return self.valid_on(day).filter(condition).order_by("-start_date", "-pk").first()


class Contract(TimeStamped, Versioned):
    """A service contract with one customer."""

    code = models.CharField(_("contract number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    units = models.ManyToManyField(
        Unit, related_name="contracts", verbose_name=_("covered units"), blank=True
    )
    sites = models.ManyToManyField(
        Site,
        related_name="contracts",
        verbose_name=_("covered sites"),
        blank=True,
        help_text=_("Every unit installed at these sites is covered."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    auto_renew = models.BooleanField(
        _("renews automatically"),
        default=False,
        help_text=_("At the end date the contract runs for another period of the same length."),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice (days)"), default=0, validators=[MaxValueValidator(365)]
    )
    labour = _coverage_field(_("labour"))
    labour_discount = _discount_field(_("labour discount %"))
    travel = _coverage_field(_("travel"))
    travel_discount = _discount_field(_("travel discount %"))
    call_out = _coverage_field(_("call-out"))
    call_out_discount = _discount_field(_("call-out discount %"))
    parts = _coverage_field(_("parts"))
    parts_discount = _discount_field(_("parts discount %"))
    fee_period = models.CharField(
        _("fee period"), max_length=10, choices=FeePeriod.choices, default=FeePeriod.NONE
    )
    fee_amount = models.DecimalField(
        _("fee amount"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["customer", "-start_date"], name="contract_customer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_period__in=FeePeriod.values), name="contract_fee_valid"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{kind}__in": Coverage.values}),
                    name=f"contract_{kind}_coverage_valid",
                )
                for kind in COVERED_KINDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.customer.name}" if self.customer_id else self.code

    def get_absolute_url(self) -> str:
        return reverse("contracts:contract_detail", args=[self.pk])

    def coverage_of(self, kind: str) -> tuple[str, Decimal]:
        """(mode, discount %) for ``kind`` (one of ``COVERED_KINDS``)."""
        return getattr(self, kind), getattr(self, f"{kind}_discount")

    def target_for(self, priority: str) -> SlaTarget | None:
        """The targets of ``priority`` (reads the prefetched ``targets``)."""
        return next((t for t in self.targets.all() if t.priority == priority), None)


class SlaTarget(models.Model):
    """Response and resolution targets, in business hours, for one priority of a contract."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="targets", verbose_name=_("contract")
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    response_hours = models.DecimalField(
        _("response within (business hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    resolution_hours = models.DecimalField(
        _("resolution within (business hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["contract", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "priority"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="sla_target_priority_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.get_priority_display()}"


class Closure(models.Model):
    """A company closure (summer break, the patron saint's day): no business hours."""

    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    description = models.CharField(_("description"), max_length=100)

    class Meta:
        verbose_name = _("company closure")
        verbose_name_plural = _("company closures")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="closure_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.description
