"""The intervention report (rapportino): one PDF, the customer's document, in their language."""

from __future__ import annotations

import base64

from django.conf import settings
from django.db.models import Sum

from calls import checklists
from calls.models import (
    Attachment,
    AttachmentKind,
    Expense,
    Intervention,
    NoteKind,
    PartUsed,
    ReportTag,
    SignedReport,
)
from calls.photos import ensure_print_copy
from service_portal.pdf import render_pdf

REPORT_TAG_ORDER = [ReportTag.BEFORE, ReportTag.AFTER]


def report_context(intervention: Intervention, version: SignedReport | None = None) -> dict:
    """The report's content; ``version`` gives the signature it carries (default: the
    intervention's own, for a report drawn before versions)."""
    entries = list(
        intervention.time_entries.select_related("user").order_by("date", "start_time", "pk")
    )
    expenses = list(Expense.objects.filter(intervention=intervention))
    signature = ""
    source = version if version is not None else intervention
    if source.signature:
        with source.signature.open("rb") as handle:
            signature = "data:image/png;base64," + base64.b64encode(handle.read()).decode()
    return {
        **_fieldwork(intervention),
        "intervention": intervention,
        "call": intervention.call,
        "entries": entries,
        "hours_total": intervention.time_entries.aggregate(total=Sum("hours"))["total"],
        "parts": list(PartUsed.objects.filter(intervention=intervention)),
        "expenses": expenses,
        "expenses_total": sum((e.amount for e in expenses), start=0),
        "report_notes": list(
            intervention.notes.filter(kind=NoteKind.REPORT).select_related("author")
        ),
        "signature_data": signature,
        "signed_by": source.signed_by,
        "signed_at": source.signed_at,
        "version": version,
        "company_name": settings.COMPANY_NAME,
    }


def _print_url(photo: Attachment) -> str:
    """The photo's print copy (``calls.photos``: 300 dpi of the 85 mm the report prints
    it at, made now for a photo stored before print copies), by its file: WeasyPrint embeds the
    JPEG as it is, and the per-thread image cache forgets it with the document
    (``service_portal.pdf``). Never a ``data:`` address: the page's HTML would carry the photo
    in base64, for WeasyPrint's parser to read through."""
    ensure_print_copy(photo)
    return settings.MEDIA_URL + photo.print_file.name


def _fieldwork(intervention: Intervention) -> dict:
    """The checklist's answers and the photos the technician chose for the report (issue 21):
    "before" photos first, then "after", each in the order taken."""
    photos = Attachment.objects.filter(
        intervention=intervention, kind=AttachmentKind.PHOTO, report_tag__in=REPORT_TAG_ORDER
    )
    ordered = sorted(photos, key=lambda p: (REPORT_TAG_ORDER.index(p.report_tag), p.created_at))
    return {
        "checklist": intervention.checklist,
        "checklist_rows": [
            {"label": item.label, "answer": checklists.display(item, answer)}
            for item, answer in checklists.items_with_answers(intervention)
        ],
        "report_photos": [
            {"tag": photo.get_report_tag_display(), "url": _print_url(photo)} for photo in ordered
        ],
    }


def report_pdf(intervention: Intervention, version: SignedReport | None = None) -> bytes:
    return render_pdf(
        "calls/report_pdf.html",
        report_context(intervention, version),
        language=intervention.call.customer.language,
        stylesheet="calls/report_pdf.css",
    )
