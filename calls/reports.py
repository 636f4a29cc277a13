"""Signed reports: each customer signature is a version with its own stored report PDF (issue 20).

- ``record_signature``: the completion adds the next version and its content fingerprint
  (SHA-256 of what was signed: hours, parts, expenses, report notes, signature, signer, time).
- ``stored_pdf``: the version's PDF, rendered once (fingerprint printed on it) and stored with
  the SHA-256 of its bytes; every download and e-mail sends those same bytes.
- ``supersede``: sending back (done -> planned) keeps the version with its PDF, marks it
  superseded (who, when, why) and clears the intervention's signature, so the technician
  completes again and the customer signs again.

The actuals cannot change under a signature (``calls.access.FROZEN_STATES``), so a PDF
rendered after the signature shows exactly what was signed.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.files.base import ContentFile
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accounts.models import User
from calls.documents import report_pdf
from calls.models import (
    Attachment,
    AttachmentKind,
    ChecklistAnswer,
    Expense,
    Intervention,
    NoteKind,
    PartUsed,
    SignedReport,
)


def _fingerprint(
    intervention: Intervention, signature: bytes, signed_by: str, signed_at: datetime.datetime
) -> str:
    """SHA-256 of what the customer signed, in a canonical form."""
    content = {
        "intervention": intervention.code,
        "signed_by": signed_by,
        "signed_at": signed_at.isoformat(),
        "signature": hashlib.sha256(signature).hexdigest(),
        "hours": [
            [str(e.date), str(e.start_time), str(e.end_time), str(e.hours), e.kind, e.user_id]
            for e in intervention.time_entries.order_by("date", "start_time", "pk")
        ],
        "parts": [
            [p.code, p.description, str(p.quantity), str(p.unit_price), p.under_warranty]
            for p in PartUsed.objects.filter(intervention=intervention).order_by("pk")
        ],
        "expenses": [
            [str(x.date), x.kind, str(x.km), str(x.amount), x.note]
            for x in Expense.objects.filter(intervention=intervention).order_by("pk")
        ],
        "report": [n.text for n in intervention.notes.filter(kind=NoteKind.REPORT).order_by("pk")],
        # Issue 21: the checklist's answers and the photos printed in the report are signed too.
        "checklist": [
            [a.item_id, a.value]
            for a in ChecklistAnswer.objects.filter(intervention=intervention).order_by("item_id")
        ],
        "photos": [
            [p.pk, p.report_tag, p.file.name]
            for p in Attachment.objects.filter(intervention=intervention, kind=AttachmentKind.PHOTO)
            .exclude(report_tag="")
            .order_by("pk")
        ],
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def _read_signature(file: FieldFile) -> bytes:
    if not file:  # a signature recorded before signatures were stored as files
        return b""
    with file.open("rb") as handle:
        return handle.read()


def record_signature(*, intervention: Intervention, acting_user: User | None) -> SignedReport:
    """The next version, from the signature just stored on ``intervention`` (locked)."""
    signed_at = intervention.signed_at
    assert signed_at is not None  # completion stores the signature first
    number = (intervention.signed_reports.aggregate(n=Max("number"))["n"] or 0) + 1
    signature = _read_signature(intervention.signature)
    return SignedReport.objects.create(
        intervention=intervention,
        number=number,
        signature=intervention.signature.name,
        signed_by=intervention.signed_by,
        signed_at=signed_at,
        completed_by=acting_user,
        content_sha256=_fingerprint(intervention, signature, intervention.signed_by, signed_at),
    )


def current_version(intervention: Intervention) -> SignedReport | None:
    """The signature in force, locked; one is made for a signature older than versions."""
    version = (
        SignedReport.objects.select_for_update()
        .filter(intervention=intervention, superseded_at__isnull=True)
        .first()
    )
    if version is None and intervention.signed_at is not None:
        version = record_signature(intervention=intervention, acting_user=None)
    return version


def _ensure_pdf(version: SignedReport, intervention: Intervention) -> bytes:
    if version.pdf:
        with version.pdf.open("rb") as handle:
            return handle.read()
    if not version.content_sha256:
        version.content_sha256 = _fingerprint(
            intervention, _read_signature(version.signature), version.signed_by, version.signed_at
        )
    pdf = report_pdf(intervention, version)
    name = f"{intervention.code.replace('/', '-')}-v{version.number}.pdf"
    version.pdf.save(name, ContentFile(pdf), save=False)
    version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    version.save(update_fields=["pdf", "pdf_sha256", "content_sha256"])
    return pdf


def stored_pdf(intervention: Intervention, number: int | None = None) -> bytes | None:
    """The stored report PDF of version ``number`` (default: the one in force); rendered and
    stored the first time. ``None`` when there is no such signature."""
    if number is None:
        version = current_version(intervention)
    else:
        version = (
            SignedReport.objects.select_for_update()
            .filter(intervention=intervention, number=number)
            .first()
        )
    if version is None:
        return None
    return _ensure_pdf(version, intervention)


def supersede(*, intervention: Intervention, acting_user: User, reason: str) -> None:
    """Sending back: keep the signature in force as a superseded version, clear it."""
    version = current_version(intervention)
    if version is not None:
        _ensure_pdf(version, intervention)  # the report as it was signed, kept
        version.superseded_at = timezone.now()
        version.superseded_by = acting_user
        version.superseded_reason = reason.strip()
        version.save(update_fields=["superseded_at", "superseded_by", "superseded_reason"])
    intervention.signature = ""
    intervention.signed_by = ""
    intervention.signed_at = None
    intervention.save(update_fields=["signature", "signed_by", "signed_at", "updated_at"])
