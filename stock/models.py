"""Warehouses, the stock of each spare part in each of them, and the moves that change it.

A move is recorded once and never edited or deleted: a correction is a new move (an adjustment,
or a return that points at the consumption it reverses). Levels are a running total kept in
the same transaction as the move (``stock.services.record_move``, the one place moves are
written), so the sum of the moves and the level never disagree.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orders.models import SparePart

ZERO = Decimal("0")


class WarehouseKind(models.TextChoices):
    CENTRAL = "central", _("Central warehouse")
    BRANCH = "branch", _("Branch warehouse")
    VAN = "van", _("Technician's van")


class Warehouse(models.Model):
    """A place that holds stock. A van belongs to one technician, and a technician has at most
    one van (the database refuses a second)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=WarehouseKind.choices)
    technician = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="van",
        verbose_name=_("technician"),
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["kind", "code"]
        constraints = [
            # A van has its technician; a central or branch warehouse has none.
            models.CheckConstraint(
                condition=(Q(kind="van") & Q(technician__isnull=False))
                | (~Q(kind="van") & Q(technician__isnull=True)),
                name="warehouse_van_has_technician",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("stock:warehouse_detail", args=[self.pk])


class StockLevel(models.Model):
    """How much of a part a warehouse holds now, and the minimum and maximum it should hold
    (the van restock proposal brings what is below the minimum back up to the maximum)."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="levels", verbose_name=_("warehouse")
    )
    spare_part = models.ForeignKey(
        SparePart,
        on_delete=models.PROTECT,
        related_name="stock_levels",
        verbose_name=_("spare part"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=ZERO)
    minimum = models.DecimalField(_("minimum"), max_digits=12, decimal_places=3, default=ZERO)
    maximum = models.DecimalField(_("maximum"), max_digits=12, decimal_places=3, default=ZERO)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["warehouse", "spare_part"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "spare_part"], name="stocklevel_one_per_part"
            ),
            models.CheckConstraint(
                condition=Q(minimum__gte=0) & Q(maximum__gte=models.F("minimum")),
                name="stocklevel_min_max",
            ),
        ]
        indexes = [
            models.Index(fields=["spare_part", "warehouse"], name="stocklevel_part_idx"),
            # "Below minimum only" counts its rows from this index alone (a few thousand
            # entries at most), not from every level of the warehouse.
            models.Index(
                fields=["warehouse", "spare_part"],
                condition=Q(quantity__lt=models.F("minimum")),
                name="stocklevel_below_minimum_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code}: {self.quantity} × {self.spare_part.code}"

    @property
    def below_minimum(self) -> bool:
        return self.quantity < self.minimum


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", pgettext_lazy("stock move", "Receipt")
    TRANSFER = "transfer", _("Transfer")
    CONSUMPTION = "consumption", _("Consumption")
    RETURN = "return", pgettext_lazy("stock move", "Return")
    ADJUSTMENT = "adjustment", _("Adjustment")


# Which warehouses each kind names: (source, destination). An adjustment names one of them
# (down from the source, or up into the destination).
MOVE_SHAPES: dict[str, tuple[bool, bool]] = {
    MoveKind.RECEIPT: (False, True),
    MoveKind.TRANSFER: (True, True),
    MoveKind.CONSUMPTION: (True, False),
    MoveKind.RETURN: (False, True),
}


class FrozenMove(Exception):
    """A stock move was about to be changed or deleted: a correction is a new move."""


class StockMove(models.Model):
    """One movement of a quantity of a part: out of ``from_warehouse``, into ``to_warehouse``.

    Written only by ``stock.services.record_move``; never edited or deleted (``save`` and
    ``delete`` refuse, the admin is read-only). ``external_reference`` is the ERP's id of the
    move: the same reference twice records the move once.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=MoveKind.choices)
    spare_part = models.ForeignKey(
        SparePart,
        on_delete=models.PROTECT,
        related_name="stock_moves",
        verbose_name=_("spare part"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    from_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="moves_out",
        verbose_name=_("from warehouse"),
        null=True,
        blank=True,
    )
    to_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="moves_in",
        verbose_name=_("to warehouse"),
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # What the move is about, for people: an intervention's code, a delivery note's number.
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    external_reference = models.CharField(
        _("ERP reference"), max_length=60, null=True, blank=True, unique=True
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stockmove_quantity_positive"),
            models.CheckConstraint(
                condition=Q(from_warehouse__isnull=False) | Q(to_warehouse__isnull=False),
                name="stockmove_names_a_warehouse",
            ),
            models.CheckConstraint(
                condition=~Q(from_warehouse=models.F("to_warehouse")),
                name="stockmove_not_to_itself",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""),
                name="stockmove_adjustment_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["from_warehouse", "-id"], name="stockmove_from_idx"),
            models.Index(fields=["to_warehouse", "-id"], name="stockmove_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.spare_part_id}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[override]
        # Immutability is data, not a business rule: a recorded move is a fact.
        if not self._state.adding:
            raise FrozenMove(str(_("A stock move is never changed: record a correction.")))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise FrozenMove(str(_("A stock move is never deleted: record a correction.")))
