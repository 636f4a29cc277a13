"""Photos and documents of an intervention (issue 21).

- The technician (or the office) adds photos while the intervention is planned: taken with the
  phone's camera or chosen from files, JPEG, PNG or HEIC. Each is decoded with Pillow (the
  content decides, never the name), turned upright from its EXIF orientation, resized to
  ``ATTACHMENT_PHOTO_MAX_SIDE`` and re-encoded as a JPEG without any metadata (no GPS
  position, no camera serial), with a thumbnail and a print copy. The technician marks photos
  "before" or "after" to print them in the report, which prints the print copy: the photo at
  300 dpi of the size it is printed at, not the photo for the screen (issue 21).
- Operators and administrators attach documents (manuals, drawings: PDF, stored as sent, or a
  picture, converted like a photo) that the technician sees; at any state but cancelled.
- Once the customer signed (done, verified, invoiced) the photos are frozen with the report:
  none added, removed or re-tagged (``calls.access.FROZEN_STATES``).

Pillow (with pillow-heif for the iPhone's HEIC) is used rather than a thumbnail library
(sorl-thumbnail, easy-thumbnails): one size of photo and one of thumbnail are made once at
upload, which needs no cache table nor on-the-fly rendering.
"""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from accounts.models import User
from calls import access
from calls.access import FROZEN_STATES
from calls.models import Attachment, AttachmentKind, Intervention, ReportTag, State
from calls.photos import REPORT_PHOTO_PRINT_SIDE
from calls.photos import jpeg as _jpeg
from calls.services import CallError, CallRoleRefused

register_heif_opener()

# What Pillow must recognise in the content (HEIF covers the iPhone's HEIC).
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "HEIF"})
# A picture larger than this is refused before it is decoded (a "decompression bomb").
MAX_PIXELS = 60_000_000


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _read(upload: UploadedFile, limit: int, kind: str) -> bytes:
    too_large = (
        _("The photo is larger than %(mb)s MB.")
        if kind == AttachmentKind.PHOTO
        else _("The document is larger than %(mb)s MB.")
    ) % {"mb": _megabytes(limit)}
    if (upload.size or 0) > limit:
        raise CallError(too_large)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise CallError(too_large)
    if not data:
        raise CallError(_("The file is empty."))
    return data


def _decode(data: bytes) -> Image.Image:
    """The picture in ``data`` (JPEG, PNG or HEIC), fully decoded; anything else is refused."""
    refused = CallError(_("The photo must be a JPEG, PNG or HEIC picture."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in PHOTO_FORMATS:
                raise refused
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise CallError(_("The picture is too large (more than 60 megapixels)."))
            image.load()  # a truncated or forged file fails here, not later
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise refused from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise CallError(_("The picture is too large (more than 60 megapixels).")) from None
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode in ("RGBA", "LA", "P"):
        rgba = upright.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return upright.convert("RGB")


def process_photo(data: bytes) -> tuple[bytes, bytes, bytes]:
    """The photo to store, its thumbnail and its print copy, all JPEG, upright, resized,
    without metadata. A photo no larger than the print size is its own print copy (the same
    bytes: not compressed twice)."""
    image = _upright_rgb(_decode(data))
    photo = _jpeg(image, settings.ATTACHMENT_PHOTO_MAX_SIDE)
    print_copy = photo
    if max(image.size) > REPORT_PHOTO_PRINT_SIDE:
        print_copy = _jpeg(image, REPORT_PHOTO_PRINT_SIDE)
    return photo, _jpeg(image, settings.ATTACHMENT_THUMBNAIL_SIDE), print_copy


def _is_pdf(data: bytes) -> bool:
    """A PDF starts with its header and ends with its end-of-file marker (within the last
    kilobyte: some writers add a newline or padding)."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def _title(upload: UploadedFile) -> str:
    # The name the browser sent, shown (escaped) on the page; never used as the stored name.
    return (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:200]


def _store(
    *, intervention: Intervention, kind: str, upload: UploadedFile, acting_user: User
) -> Attachment:
    limit = (
        settings.ATTACHMENT_PHOTO_MAX_BYTES
        if kind == AttachmentKind.PHOTO
        else settings.ATTACHMENT_DOCUMENT_MAX_BYTES
    )
    data = _read(upload, limit, kind)
    attachment = Attachment(
        intervention=intervention, kind=kind, title=_title(upload), created_by=acting_user
    )
    if kind == AttachmentKind.DOCUMENT and _is_pdf(data):
        attachment.content_type = "application/pdf"
        attachment.file.save("document.pdf", ContentFile(data), save=False)
    else:
        if kind == AttachmentKind.DOCUMENT and data.startswith(b"%PDF-"):
            raise CallError(_("The PDF is incomplete or damaged."))
        if kind == AttachmentKind.DOCUMENT:
            try:
                photo, thumbnail, _print_copy = process_photo(data)
            except CallError:
                raise CallError(
                    _("The document must be a PDF or a JPEG, PNG or HEIC picture.")
                ) from None
        else:
            photo, thumbnail, print_copy = process_photo(data)
            # Only photos are printed in the report.
            attachment.print_file.save("print.jpg", ContentFile(print_copy), save=False)
        attachment.content_type = "image/jpeg"
        attachment.file.save("photo.jpg", ContentFile(photo), save=False)
        attachment.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail), save=False)
    # The files are written before the row: a failure below removes them again.
    try:
        attachment.save()
    except Exception:
        _delete_files([attachment.file, attachment.thumbnail, attachment.print_file])
        raise
    return attachment


def _lock_for_photos(intervention: Intervention, user: User) -> Intervention:
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not access.is_assigned_or_office(locked, user):
        raise CallRoleRefused(_("This intervention is not assigned to you."))
    if locked.state in FROZEN_STATES:
        raise CallError(
            _("The customer signed: the photos are part of the report and can no longer change.")
        )
    if not access.may_record(locked, user):
        raise CallError(
            _("Photos are added while the intervention is planned, until the customer signs.")
        )
    return locked


@transaction.atomic
def add_photo(*, intervention: Intervention, acting_user: User, upload: UploadedFile) -> Attachment:
    """A photo of the work, by the assigned technician or the office, before the signature."""
    locked = _lock_for_photos(intervention, acting_user)
    return _store(
        intervention=locked, kind=AttachmentKind.PHOTO, upload=upload, acting_user=acting_user
    )


@transaction.atomic
def add_document(
    *, intervention: Intervention, acting_user: User, upload: UploadedFile
) -> Attachment:
    """A manual or drawing for the technician, attached by an operator or administrator."""
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not access.is_office(acting_user):
        raise CallRoleRefused(_("Only operators and administrators attach documents."))
    if locked.state == State.CANCELLED:
        raise CallError(_("The intervention is cancelled."))
    return _store(
        intervention=locked, kind=AttachmentKind.DOCUMENT, upload=upload, acting_user=acting_user
    )


@transaction.atomic
def remove_attachment(*, attachment: Attachment, acting_user: User) -> None:
    """A photo goes while photos may change; a document is removed by the office only."""
    if attachment.kind == AttachmentKind.DOCUMENT:
        if not access.is_office(acting_user):
            raise CallRoleRefused(_("Only operators and administrators remove documents."))
    else:
        _lock_for_photos(attachment.intervention, acting_user)
    if attachment.checklist_answers.exists():
        raise CallError(_("This photo answers a checklist item: change that answer first."))
    files = [attachment.file, attachment.thumbnail, attachment.print_file]
    attachment.delete()
    # The files go once the row is gone for good.
    transaction.on_commit(lambda: _delete_files(files))


def _delete_files(files: list) -> None:
    for file in files:
        if file:
            file.delete(save=False)


@transaction.atomic
def tag_photo(*, attachment: Attachment, acting_user: User, tag: str) -> Attachment:
    """Mark a photo "before" or "after" (printed in the report), or take it out of the report."""
    if attachment.kind != AttachmentKind.PHOTO:
        raise CallError(_("Only photos are printed in the report."))
    if tag not in ReportTag.values:
        raise CallError(_("Choose before, after or not in the report."))
    _lock_for_photos(attachment.intervention, acting_user)
    attachment.report_tag = tag
    attachment.save(update_fields=["report_tag"])
    return attachment
