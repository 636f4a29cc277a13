"""API tokens: how the ERP and other tools authenticate, and what each one may do."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may do; a request needs the scope of its resource and method."""

    CUSTOMERS_READ = "customers:read", _("Read customers, sites, contacts and units")
    CUSTOMERS_WRITE = "customers:write", _("Create and update customers, sites and units")
    CATALOGUE_READ = "catalogue:read", _("Read products (machine models) and spare parts")
    CATALOGUE_WRITE = "catalogue:write", _("Create and update spare parts and their stock")
    CALLS_READ = "calls:read", _("Read calls and interventions")
    COUNTERS_WRITE = "counters:write", _("Record running-hours readings of units")
    ORDERS_READ = "orders:read", _("Read offers and orders")
    ORDERS_WRITE = "orders:write", _("Record shipments and set the state of orders")
    EVENTS_READ = "events:read", _("Read the feed of events")
    INVOICES_READ = "invoices:read", _("Read invoices and credit notes")
    PAYMENTS_WRITE = "payments:write", _("Record payments received against invoices")
    STOCK_READ = "stock:read", _("Read warehouses, stock levels and stock moves")
    STOCK_WRITE = "stock:write", _("Record stock moves (receipts, transfers, adjustments)")


class ApiToken(models.Model):
    """A named credential for one client (e.g. "ERP sync").

    Only a SHA-256 hash of the secret is stored: the secret is shown once, when the token is
    created, and cannot be recovered (a lost secret means a new token). The secrets are long
    random strings, so a fast hash is enough; the prefix finds the row without scanning.
    A revoked token stays for the record (who made it, when it was last used).
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes
