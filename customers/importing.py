"""Imports and exports of the installed base (customers, sites, contacts, units) by external code.

The ERP is the master of the installed base: its records carry an *external code* and arrive
either through the REST API (one record per request) or as CSV/XLSX files (many rows at once).
Both paths go through ``upsert()`` here, so the same model validation applies (VAT number,
phone numbers, one serial number per product) and a record that is already up to date is not
saved again: its ``updated_at`` stays put and incremental sync does not see phantom changes.

A file import is all-or-nothing. The dry run is the real import inside a transaction that is
rolled back, so the preview counts exactly what the apply would do, including rows that refer to
records created by earlier rows (a site of a customer that the same workbook adds).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Contact, Customer, Product, Site, Unit
from customers.validators import validate_external_code
from service_portal.errors import DomainError
from service_portal.spreadsheets import restore

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Never compared nor copied: they belong to the portal, not to the ERP's data.
_BOOKKEEPING = {"id", "created_at", "updated_at", "external_code"}


# --- Upserts by external code (shared with the REST API) --------------------------------------
def upsert(
    model: type[models.Model],
    *,
    external_code: str,
    values: dict[str, Any],
    commit: bool = True,
) -> tuple[models.Model, str]:
    """Create or update the ``model`` record with ``external_code``; return it and the action.

    ``values`` are model attribute values (related objects, not codes); fields left out keep
    their current value. Raises ``ValidationError`` (field -> messages) when the model refuses
    the values, without saving anything. The same call made twice gives the same result, also
    when both run at the same moment: the loser of the insert race retries as an update.
    ``commit=False`` validates and reports the action without saving.
    """
    validate_external_code(external_code)
    if not external_code:
        raise ValidationError({"external_code": [_("The external code is required.")]})
    for _attempt in range(2):
        try:
            return _upsert_once(model, external_code, values, commit)
        except (IntegrityError, _CodeTaken):
            continue  # another transaction inserted the same code (or VAT...) meanwhile
    raise ValidationError(
        {NON_FIELD_ERRORS: [_("The record was changed at the same time; try again.")]}
    )


class _CodeTaken(Exception):
    pass


@transaction.atomic
def _upsert_once(
    model: type[models.Model], external_code: str, values: dict[str, Any], commit: bool
) -> tuple[models.Model, str]:
    instance = (
        model._default_manager.select_for_update().filter(external_code=external_code).first()
    )
    created = instance is None
    if created:
        instance = model(external_code=external_code)
    before = _snapshot(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        # The external code was just looked up: its uniqueness is the database's to enforce
        # (IntegrityError -> retry), which spares two queries per row on large imports.
        instance.full_clean(validate_constraints=False)
        instance.validate_constraints(exclude={"external_code"})
    except ValidationError:
        if created and model._default_manager.filter(external_code=external_code).exists():
            raise _CodeTaken from None  # created by a concurrent request since our read
        raise
    if not created and _snapshot(instance) == before:
        return instance, UNCHANGED
    if commit:
        instance.save()
    return instance, CREATED if created else UPDATED


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in _BOOKKEEPING
    }


# --- Columns of each kind of record ----------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets turn codes like 00123 into numbers
    return str(value).strip()


_TRUE = {"1", "true", "yes", "y", "x", "si", "sì", "vero"}
_FALSE = {"0", "false", "no", "n", "falso"}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(_("%(value)s is not yes or no."), params={"value": _text(value)})


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValidationError(
        _("%(value)s is not a date (use YYYY-MM-DD or DD/MM/YYYY)."), params={"value": text}
    )


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[Any], Any] = _text
    # Blank cells of optional columns are written as blank (text) or left alone (booleans).
    skip_blank: bool = False


@dataclass(frozen=True)
class Kind:
    """One kind of record in a file: its sheet name, columns and how a row becomes values."""

    key: str
    label: Any
    model: type[models.Model]
    required: tuple[str, ...]
    columns: tuple[Column, ...]
    references: dict[str, tuple[str, type[models.Model], str]] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return ["external_code", *self.references, *(c.name for c in self.columns)]


_ADDRESS = (
    Column("address"),
    Column("postal_code"),
    Column("city"),
    Column("province"),
    Column("country", lambda v: _text(v).upper(), skip_blank=True),
)
_ACTIVE = Column("is_active", _boolean, skip_blank=True)

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "customers",
            gettext_lazy("Customers"),
            Customer,
            ("external_code", "name"),
            (
                Column("name"),
                Column("vat_number"),
                Column("fiscal_code"),
                Column("email"),
                Column("phone"),
                *_ADDRESS,
                Column("language", lambda v: _text(v).lower(), skip_blank=True),
                Column("notes"),
                _ACTIVE,
                # The fiscal data of the FatturaPA (issue 18); checked by the model on save.
                Column("vat_regime", lambda v: _text(v).lower(), skip_blank=True),
                Column("sdi_code", lambda v: _text(v).upper()),
                Column("pec"),
                Column("is_public_administration", _boolean, skip_blank=True),
            ),
        ),
        Kind(
            "sites",
            gettext_lazy("Sites"),
            Site,
            ("external_code", "customer_code", "name"),
            (Column("name"), *_ADDRESS, Column("notes"), _ACTIVE),
            {"customer_code": ("customer", Customer, "external_code")},
        ),
        Kind(
            "contacts",
            gettext_lazy("Contacts"),
            Contact,
            ("external_code", "customer_code", "name"),
            (
                Column("name"),
                Column("role"),
                Column("phone"),
                Column("mobile"),
                Column("email"),
                _ACTIVE,
            ),
            {
                "customer_code": ("customer", Customer, "external_code"),
                "site_code": ("site", Site, "external_code"),
            },
        ),
        Kind(
            "units",
            gettext_lazy("Units"),
            Unit,
            ("external_code", "site_code", "product_code", "serial_number"),
            (
                Column("serial_number"),
                Column("installation_date", _date),
                Column("warranty_end", _date),
                Column("notes"),
                _ACTIVE,
            ),
            {
                "site_code": ("site", Site, "external_code"),
                "product_code": ("product", Product, "code"),
            },
        ),
    )
}


# --- Reading files ---------------------------------------------------------------------------
class ImportFileError(DomainError):
    """The file as a whole cannot be imported (format, sheets, columns); a translated message."""


@dataclass
class Sheet:
    kind: Kind
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (line or row number in the file, cells)


def read_file(name: str, content: bytes, *, kind: str | None = None) -> list[Sheet]:
    """Parse a CSV file (one kind of record, named or guessed from the columns) or a workbook
    whose sheets are named after the kinds (customers, sites, contacts, units)."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(content)
    if lower.endswith(".csv"):
        return [_read_csv(content, kind)]
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def _read_csv(content: bytes, kind: str | None) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # A text the portal's own export wrote as '=... (so no spreadsheet runs it) reads as =...
    lines = [[restore(cell) for cell in line] for line in csv.reader(io.StringIO(text), dialect)]
    if not lines:
        raise ImportFileError(_("The file is empty."))
    header = [_text(h).lower() for h in lines[0]]
    chosen = KINDS.get(kind or "") or _guess_kind(header)
    rows = [(n, row) for n, row in enumerate(lines[1:], start=2) if any(c.strip() for c in row)]
    return _sheet(chosen, header, rows)


def _read_xlsx(content: bytes) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds of errors on bad files)
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from None
    sheets = []
    unknown = [ws.title for ws in workbook.worksheets if ws.title.lower() not in KINDS]
    if unknown:
        raise ImportFileError(
            _("Unknown sheets: %(sheets)s. Name the sheets %(kinds)s.")
            % {"sheets": ", ".join(unknown), "kinds": ", ".join(KINDS)}
        )
    by_kind = {ws.title.lower(): ws for ws in workbook.worksheets}
    for key, kind in KINDS.items():  # in dependency order: customers before their sites...
        if key not in by_kind:
            continue
        lines = list(by_kind[key].iter_rows(values_only=True))
        if not lines:
            continue
        header = [_text(h).lower() for h in lines[0]]
        rows = [
            (n, list(row)) for n, row in enumerate(lines[1:], start=2) if any(_text(c) for c in row)
        ]
        sheets.append(_sheet(kind, header, rows))
    if not sheets:
        raise ImportFileError(_("The file is empty."))
    return sheets


def _guess_kind(header: list[str]) -> Kind:
    """The kind whose columns fit the header; sites and contacts share their required columns,
    so the optional ones decide (a CSV of contacts with only the required ones reads as sites:
    the import page and command let the user name the kind)."""
    present = {c for c in header if c}
    candidates = [k for k in KINDS.values() if set(k.required) <= present]
    for kind in candidates:
        if present <= set(kind.column_names):
            return kind
    if candidates:
        return candidates[-1]  # _sheet() then names the columns it does not know
    raise ImportFileError(
        _("The columns do not match any kind of record. Expected e.g. %(columns)s.")
        % {"columns": ", ".join(KINDS["customers"].column_names)}
    )


def _sheet(kind: Kind, header: list[str], rows: list[tuple[int, list[Any]]]) -> Sheet:
    missing = [c for c in kind.required if c not in header]
    unknown = [c for c in header if c and c not in kind.column_names]
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
    if duplicated:
        problems.append(_("repeated columns: %(columns)s") % {"columns": ", ".join(duplicated)})
    if problems:
        raise ImportFileError(
            _("%(kind)s: %(problems)s. Allowed columns: %(columns)s.")
            % {
                "kind": kind.label,
                "problems": "; ".join(problems),
                "columns": ", ".join(kind.column_names),
            }
        )
    return Sheet(kind, header, rows)


# --- Importing -------------------------------------------------------------------------------
@dataclass
class RowOutcome:
    kind: str
    line: int
    external_code: str
    action: str = ""  # created / updated / unchanged, or "" when rejected
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def rejected(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.errors]

    @property
    def changes(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action in (CREATED, UPDATED)]

    def summary(self) -> dict[str, int]:
        return {
            CREATED: self.count(CREATED),
            UPDATED: self.count(UPDATED),
            UNCHANGED: self.count(UNCHANGED),
            "rejected": len(self.rejected),
        }


class _Rollback(Exception):
    """Leaves the import's transaction without saving anything (dry runs, rejected rows)."""


def import_sheets(sheets: Iterable[Sheet], *, dry_run: bool) -> ImportReport:
    """Validate every row and, unless ``dry_run``, save them all; nothing is saved when any
    row is rejected."""
    report = ImportReport()
    try:
        with transaction.atomic():
            for sheet in sheets:
                for line, cells in sheet.rows:
                    report.rows.append(_import_row(sheet, line, cells))
            if dry_run or report.rejected:
                raise _Rollback
    except _Rollback:
        return report
    report.applied = True
    return report


def _import_row(sheet: Sheet, line: int, cells: list[Any]) -> RowOutcome:
    kind = sheet.kind
    raw = dict(zip(sheet.header, cells, strict=False))
    code = _text(raw.get("external_code"))
    outcome = RowOutcome(kind.key, line, code)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for column in kind.columns:
        if column.name not in raw:
            continue
        cell = raw[column.name]
        if column.skip_blank and not _text(cell):
            continue
        try:
            values[column.name] = column.parse(cell)
        except ValidationError as exc:
            errors[column.name] = exc.messages
    for column_name, (attr, model, lookup) in kind.references.items():
        if column_name not in raw:
            continue
        ref = _text(raw[column_name])
        if not ref:
            values[attr] = None
            continue
        target = model._default_manager.filter(**{lookup: ref}).first()
        if target is None:
            errors[column_name] = [
                _("No %(model)s with code %(code)s.")
                % {"model": model._meta.verbose_name, "code": ref}
            ]
        else:
            values[attr] = target
    # The model checks the row even when a cell did not parse, so the preview lists every
    # reason at once; such a row is validated but not saved.
    try:
        _obj, outcome.action = upsert(
            kind.model, external_code=code, values=values, commit=not errors
        )
    except ValidationError as exc:
        columns = {attr: column for column, (attr, _m, _l) in kind.references.items()}
        for name, messages in _message_dict(exc).items():
            errors.setdefault(columns.get(name, name), messages)
    if errors:
        outcome.action = ""
    outcome.errors = [
        f"{name}: {message}" if name != NON_FIELD_ERRORS else message
        for name, messages in errors.items()
        for message in messages
    ]
    return outcome


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: exc.messages}


# --- Exporting -------------------------------------------------------------------------------
def export_querysets() -> dict[str, models.QuerySet]:
    """The rows of each kind in export order; relations joined so a row costs no query."""
    return {
        "customers": Customer.objects.order_by("pk"),
        "sites": Site.objects.select_related("customer").order_by("pk"),
        "contacts": Contact.objects.select_related("customer", "site").order_by("pk"),
        "units": Unit.objects.select_related("site", "product").order_by("pk"),
    }


def export_rows(key: str) -> Iterator[list[Any]]:
    """One list of cells per record, read in chunks (no full list in memory); the header is
    ``KINDS[key].column_names``. Written by service_portal.spreadsheets (CSV and Excel)."""
    kind = KINDS[key]
    for obj in export_querysets()[key].iterator(chunk_size=2000):
        row: list[Any] = [obj.external_code]
        for attr, _model, lookup in kind.references.values():
            target = getattr(obj, attr)
            row.append(getattr(target, lookup) if target is not None else "")
        for column in kind.columns:
            value = getattr(obj, column.name)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            row.append(value if value is not None else "")
        yield row
