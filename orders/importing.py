"""Spare parts from the ERP: a CSV or XLSX file updates existing codes and adds new ones.

Columns (first row, case-insensitive): ``code``, ``description_it``, ``description_en``,
``description_de``, ``description_fr``, ``description_es``,
``unit_of_measure``, ``list_price``, ``vat_rate`` (the VAT rate's code, or its percentage),
``stock_quantity``, ``products`` (product codes separated by ``;``), ``active`` (1/0, yes/no).
``code``, ``list_price`` and one description are required; the others keep their current value
when the column is absent. Parts are never deleted.

A row with a bad value is rejected with its reason and the other rows are imported. A file that
cannot be read or lacks a required column changes nothing, and so does any unexpected error:
the whole file is one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Product
from orders.models import SparePart, VatRate
from service_portal.errors import DomainError
from service_portal.i18n import localized_fields

REQUIRED = {"code", "list_price"}
DESCRIPTIONS = {"description", *localized_fields("description")}
KNOWN = (
    REQUIRED
    | DESCRIPTIONS
    | {
        "unit_of_measure",
        "vat_rate",
        "stock_quantity",
        "products",
        "active",
    }
)
TRUE = {"1", "yes", "y", "true", "si", "sì", "x"}
FALSE = {"0", "no", "n", "false", ""}


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (unreadable, wrong columns)."""


class RowError(DomainError, ValueError):
    """A value refused by the catalogue's rules; ``field`` names the column it came from."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message, field)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, code, reason)

    def summary(self) -> str:
        return _(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(rejected)d rejected."
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "rejected": len(self.rejected),
        }


def read_rows(stream: IO[bytes], filename: str) -> list[dict[str, str]]:
    """The file's rows as dicts keyed by lower-case column names."""
    suffix = Path(filename).suffix.lower()
    data = stream.read()
    if suffix == ".xlsx":
        rows = _xlsx_rows(data)
    elif suffix in {".csv", ".txt"}:
        rows = _csv_rows(data)
    else:
        raise ImportFileError(_("Unsupported file type: use a .csv or .xlsx file."))
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = [str(c or "").strip().lower() for c in rows[0]]
    missing = REQUIRED - set(header)
    if missing or not DESCRIPTIONS & set(header):
        needed = sorted(missing | (set() if DESCRIPTIONS & set(header) else {"description_it"}))
        raise ImportFileError(
            _("Missing columns: %(columns)s. The file has: %(found)s.")
            % {"columns": ", ".join(needed), "found": ", ".join(h for h in header if h) or "-"}
        )
    unknown = [h for h in header if h and h not in KNOWN]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    result = []
    for raw in rows[1:]:
        values = [("" if v is None else str(v)).strip() for v in raw]
        if not any(values):
            result.append({})
            continue
        result.append({h: v for h, v in zip(header, values, strict=False) if h})
    return result


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    # ERP exports use ";" (Italian Excel), "," or tabs: the header line tells which.
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a bad file
        raise ImportFileError(_("The file is not a valid Excel (.xlsx) file.")) from exc
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def parse_decimal(value: str, label: str) -> Decimal:
    """A non-negative number for the spare part's field ``label`` (its digits checked too)."""
    try:
        number = Decimal(value.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise RowError(
            _("%(field)s is not a number: %(value)s") % {"field": label, "value": value}, label
        ) from None
    if not number.is_finite() or number < 0:
        raise RowError(_("%(field)s cannot be negative.") % {"field": label}, label)
    try:
        SparePart._meta.get_field(label).run_validators(number)
    except DjangoValidationError as exc:
        raise RowError(f"{label}: {' '.join(exc.messages)}", label) from None
    return number


def _bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise RowError(_("active must be 1 or 0, not %(value)s") % {"value": value}, "active")


class Lookups:
    """VAT rates and products, read once for many rows.

    ``product_codes``: only these products (one request of the API); None: all (a file).
    """

    def __init__(self, product_codes: Iterable[str] | None = None) -> None:
        self.vat_by_code = {v.code.lower(): v for v in VatRate.objects.all()}
        by_rate: dict[Decimal, list[VatRate]] = {}
        for vat in self.vat_by_code.values():
            by_rate.setdefault(vat.rate, []).append(vat)
        self.vat_by_rate = {rate: vats[0] for rate, vats in by_rate.items() if len(vats) == 1}
        products = Product.objects.all()
        if product_codes is not None:
            upper = {c.upper() for c in product_codes}
            products = products.annotate(upper_code=Upper("code")).filter(upper_code__in=upper)
        self.products = {p.code.upper(): p for p in products}
        self.default_vat = next(iter(self.vat_by_code.values()), None)

    def vat(self, value: str) -> VatRate:
        found = self.vat_by_code.get(value.lower())
        if found is None:
            try:
                found = self.vat_by_rate.get(Decimal(value.replace(",", ".").rstrip("%")))
            except InvalidOperation:
                found = None
        if found is None:
            raise RowError(_("unknown VAT rate %(value)s") % {"value": value}, "vat_rate")
        return found


# What an import may change on an existing part.
CHANGING = [
    *localized_fields("description"),
    "unit_of_measure",
    "list_price",
    "vat_rate_id",
    "stock_quantity",
    "is_active",
]
BATCH = 500


@transaction.atomic
def import_spare_parts(stream: IO[bytes], filename: str) -> ImportReport:
    """Apply the file; see the module docstring for the rules.

    Rows are checked one by one in memory; only new parts and parts whose data really changed
    are written (new ones in batches), so re-importing the ERP's whole list every night is fast.
    """
    rows = read_rows(stream, filename)
    lookups = Lookups()
    existing = {p.code.upper(): p for p in SparePart.objects.all()}
    through = SparePart.products.through
    links: dict[int, set[int]] = {}
    for part_id, product_id in through.objects.values_list("sparepart_id", "product_id"):
        links.setdefault(part_id, set()).add(product_id)
    report = ImportReport()
    seen: set[str] = set()
    to_create: list[SparePart] = []
    to_update: list[SparePart] = []
    product_sets: dict[str, set[int]] = {}
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        code = row.get("code", "").strip()
        try:
            if not code:
                raise RowError(_("the code is empty"), "code")
            if code.upper() in seen:
                raise RowError(_("the code appears twice in the file"), "code")
            seen.add(code.upper())
            part = existing.get(code.upper())
            created = part is None
            part = part or SparePart(code=code)
            before = None if created else values_of(part)
            products = apply_row(row, part, lookups, created=created)
        except ValueError as exc:
            report.rejected.append((number, code, str(exc)))
            continue
        new_links = None if products is None else {p.pk for p in products}
        links_changed = new_links is not None and new_links != links.get(part.pk, set())
        if created:
            to_create.append(part)
            report.created.append(part.code)
        elif before != values_of(part) or links_changed:
            to_update.append(part)
            report.updated.append(part.code)
        else:
            report.unchanged.append(part.code)
        if created and new_links or links_changed:
            product_sets[part.code.upper()] = new_links
    _write(to_create, to_update, product_sets)
    return report


def values_of(part: SparePart) -> tuple:
    """What an import or an upsert may change, to tell an update from an unchanged row."""
    return tuple(getattr(part, name) for name in CHANGING)


def _write(to_create, to_update, product_sets) -> None:
    SparePart.objects.bulk_create(to_create, batch_size=BATCH)
    now = timezone.now()
    for part in to_update:
        # One UPDATE per changed part: cheaper than bulk_update's CASE expressions.
        SparePart.objects.filter(pk=part.pk).update(
            updated_at=now, **{name: getattr(part, name) for name in CHANGING}
        )
    if not product_sets:
        return
    ids = {
        code.upper(): pk
        for code, pk in SparePart.objects.filter(
            code__in=[p.code for p in (*to_create, *to_update) if p.code.upper() in product_sets]
        ).values_list("code", "pk")
    }
    through = SparePart.products.through
    part_ids = [ids[code] for code in product_sets]
    for start in range(0, len(part_ids), BATCH):
        through.objects.filter(sparepart_id__in=part_ids[start : start + BATCH]).delete()
    through.objects.bulk_create(
        (
            through(sparepart_id=ids[code], product_id=product_id)
            for code, product_ids in product_sets.items()
            for product_id in product_ids
        ),
        batch_size=BATCH,
    )


def apply_row(
    row: dict[str, str], part: SparePart, lookups: Lookups, *, created: bool
) -> list[Product] | None:
    """Check a row and copy it onto ``part`` (not saved); the products to link, if given.

    The catalogue's rules, shared by the file import and the REST API: ``row`` holds text as
    read from a file (keys as the file's columns); a key left out keeps the part's value,
    except ``list_price`` and a description, required for a new part. Raises ``RowError``.
    """
    descriptions = {name: row.get(name, "") for name in localized_fields("description")}
    descriptions["description_it"] = descriptions["description_it"] or row.get("description", "")
    if created and not any(descriptions.values()):
        raise RowError(_("the description is empty"), "description_it")
    for name, value, limit in (
        ("code", part.code, 50),
        *((n, t, 250) for n, t in descriptions.items()),
    ):
        if len(value) > limit:
            raise RowError(_("a value is too long"), name)
    if created or "list_price" in row:
        part.list_price = parse_decimal(row.get("list_price", ""), "list_price")
    for name, text in descriptions.items():
        if text:
            setattr(part, name, text)
    if row.get("unit_of_measure"):
        part.unit_of_measure = row["unit_of_measure"][:10]
    if row.get("vat_rate"):
        part.vat_rate = lookups.vat(row["vat_rate"])
    elif created:
        if lookups.default_vat is None:
            raise RowError(_("no VAT rate given and none defined"), "vat_rate")
        part.vat_rate = lookups.default_vat
    if row.get("stock_quantity"):
        part.stock_quantity = parse_decimal(row["stock_quantity"], "stock_quantity")
    if "active" in row:
        part.is_active = _bool(row["active"])
    products = None
    if row.get("products"):
        codes = [c.strip().upper() for c in row["products"].split(";") if c.strip()]
        unknown = [c for c in codes if c not in lookups.products]
        if unknown:
            raise RowError(
                _("unknown products: %(codes)s") % {"codes": ", ".join(unknown)}, "products"
            )
        products = [lookups.products[c] for c in dict.fromkeys(codes)]
    return products
