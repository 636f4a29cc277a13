"""Spare parts written by the ERP through the API, with the rules of the file import.

``orders.importing.apply_row`` checks and copies the values (the same rules, the same messages
as the import of a file); this module only looks the part up, saves it when something changed
and sets many stock levels in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.importing import Lookups, RowError, apply_row, parse_decimal, values_of
from orders.models import SparePart

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def upsert_spare_part(*, code: str, row: dict[str, str]) -> tuple[SparePart, str]:
    """Create or update the part with ``code`` (case-insensitive) from an import ``row``.

    Fields left out keep their value; nothing is saved when nothing changes, so ``updated_at``
    (the incremental sync) moves only on real changes. Of two requests creating the same code at
    the same moment, the loser retries as an update. Raises ``RowError``.
    """
    for _attempt in range(2):
        try:
            return _upsert_once(code, row)
        except IntegrityError:
            continue  # another request created the code meanwhile: now it is an update
    raise RowError(_("The record was changed at the same time; try again."))


@transaction.atomic
def _upsert_once(code: str, row: dict[str, str]) -> tuple[SparePart, str]:
    part = SparePart.objects.select_for_update().filter(code__iexact=code).first()
    created = part is None
    if created:
        part = SparePart(code=code)
    before = None if created else values_of(part)
    codes = [c for c in row.get("products", "").split(";") if c.strip()]
    products = apply_row(
        row, part, Lookups(product_codes=[c.strip() for c in codes]), created=created
    )
    new_links = None if products is None else {p.pk for p in products}
    old_links = set() if created else set(part.products.values_list("pk", flat=True))
    links_changed = new_links is not None and new_links != old_links
    if not created and before == values_of(part) and not links_changed:
        return part, UNCHANGED
    part.save()
    if links_changed:
        part.products.set(products)
    return part, CREATED if created else UPDATED


@dataclass
class StockOutcome:
    updated: int = 0
    unchanged: int = 0
    # One entry per item, empty when the item is good; all empty when the levels were saved.
    errors: list[dict[str, list[str]]] = field(default_factory=list)


@transaction.atomic
def set_stock_levels(items: Iterable[tuple[str, str]]) -> StockOutcome:
    """Set the stock quantity of the parts with these codes: all of them, or none.

    Every item is checked (known code, not repeated, a quantity the import would accept) before
    anything is written; the parts are locked meanwhile. Unchanged quantities are not written.
    """
    items = list(items)
    keys = [code.strip().upper() for code, _quantity in items]
    parts = {
        part.code.upper(): part
        for part in SparePart.objects.select_for_update()
        .annotate(upper_code=Upper("code"))
        .filter(upper_code__in=set(keys))
    }
    outcome = StockOutcome()
    seen: set[str] = set()
    changed: list[SparePart] = []
    for (code, text), key in zip(items, keys, strict=True):
        errors: dict[str, list[str]] = {}
        part = parts.get(key)
        if key in seen:
            errors["code"] = [_("This code appears more than once in the request.")]
        elif part is None:
            errors["code"] = [_("No spare part with code %(code)s.") % {"code": code}]
        seen.add(key)
        try:
            quantity = parse_decimal(text, "stock_quantity")
        except RowError as exc:
            errors["stock_quantity"] = [str(exc)]
        outcome.errors.append(errors)
        if errors:
            continue
        if quantity == part.stock_quantity:
            outcome.unchanged += 1
        else:
            part.stock_quantity = quantity
            changed.append(part)
    if any(outcome.errors):
        outcome.updated = outcome.unchanged = 0
        return outcome
    outcome.errors = []
    now = timezone.now()
    for part in changed:
        part.updated_at = now
    SparePart.objects.bulk_update(changed, ["stock_quantity", "updated_at"], batch_size=500)
    outcome.updated = len(changed)
    return outcome
