"""The installed-base import page (upload -> dry-run preview -> confirm) and the exports.

Administrators only: an import rewrites customer data in bulk. Between the preview and the
confirmation the uploaded file waits under MEDIA_ROOT/imports, named by a random key kept in
the session, so the confirmation applies exactly the file that was previewed.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customers.importing import (
    KINDS,
    ImportFileError,
    ImportReport,
    export_querysets,
    export_rows,
    import_sheets,
    read_file,
)
from service_portal import exports, spreadsheets
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS

SESSION_KEY = "installed_base_import"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A .csv file with one kind of record, or an .xlsx workbook with the sheets "
            "customers, sites, contacts and units."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Records in a CSV file"),
        required=False,
        choices=[("", gettext_lazy("Recognise from the columns"))]
        + [(key, kind.label) for key, kind in KINDS.items()],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


# A preview left unconfirmed for a day is forgotten (its file removed at the next upload).
PENDING_MAX_AGE_SECONDS = 24 * 3600


def _pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _forget_old_previews() -> None:
    cutoff = time.time() - PENDING_MAX_AGE_SECONDS
    for stale in _pending_dir().glob("*.*"):
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)


def _page(request: HttpRequest, form: ImportForm, report: ImportReport | None = None, **extra):
    context = {"form": form, "report": report, "kinds": KINDS, **extra}
    return render(request, "customers/import.html", context)


@role_required(*ADMINISTRATORS)
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        sheets = read_file(upload.name, content, kind=form.cleaned_data["kind"] or None)
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return _page(request, form)
    report = import_sheets(sheets, dry_run=True)
    key = ""
    if report.changes and not report.rejected:
        _forget_old_previews()
        key = secrets.token_hex(16)
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        (_pending_dir() / f"{key}{suffix}").write_bytes(content)
        request.session[SESSION_KEY] = {
            "key": key,
            "suffix": suffix,
            "name": upload.name,
            "kind": form.cleaned_data["kind"],
        }
    return _page(request, ImportForm(), report, key=key, file_name=upload.name)


@require_POST
@role_required(*ADMINISTRATORS)
def import_apply(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY) or {}
    if not pending or request.POST.get("key") != pending.get("key"):
        messages.error(request, _("This preview has expired: upload the file again."))
        return redirect("customers:import")
    path = _pending_dir() / f"{pending['key']}{pending['suffix']}"
    if not path.exists():
        messages.error(request, _("This preview has expired: upload the file again."))
        return redirect("customers:import")
    sheets = read_file(pending["name"], path.read_bytes(), kind=pending["kind"] or None)
    report = import_sheets(sheets, dry_run=False)
    if not report.applied:
        # Something changed since the preview: nothing was saved; show why.
        return _page(request, ImportForm(), report, file_name=pending["name"])
    path.unlink(missing_ok=True)
    del request.session[SESSION_KEY]
    summary = report.summary()
    messages.success(
        request,
        _("Import done: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % summary,
    )
    return redirect("customers:import")


def _filename(stem: str, suffix: str) -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{suffix}"


@role_required(*ADMINISTRATORS)
def export_csv(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    refused = exports.too_large(
        request,
        export_querysets()[kind],
        kind=exports.CSV,
        back=reverse("customers:import"),
        message=_(
            "There are more than %(limit)s records of this kind: too many for one download. "
            "Ask for an export from the database."
        ),
    )
    if refused:
        return refused
    return spreadsheets.csv_response(
        request,
        filename=_filename(kind, "csv"),
        header=KINDS[kind].column_names,
        rows=export_rows(kind),
    )


@role_required(*ADMINISTRATORS)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    refused = exports.too_large(
        request,
        export_querysets().values(),
        kind=exports.EXCEL,
        back=reverse("customers:import"),
        message=_(
            "The installed base has more than %(limit)s records: too many for one Excel file. "
            "Download each kind as a CSV file instead."
        ),
    )
    if refused:
        return refused
    sheets = [
        spreadsheets.Sheet(key, kind.column_names, export_rows(key)) for key, kind in KINDS.items()
    ]
    return spreadsheets.excel_response(filename=_filename("installed-base", "xlsx"), sheets=sheets)
