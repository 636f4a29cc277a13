"""The photos' JPEG sizes (issue 21): the resize used for the stored photo, its thumbnail and its
print copy, and the print copy of a photo stored before print copies existed, made when a
report first prints it (``calls.documents``). Outside ``calls.services`` so that the report can
use it without importing the services, which import the report."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image

from calls.models import Attachment

JPEG_QUALITY = 85
# The report prints a photo at most 85 mm wide and 85 mm high (calls/report_pdf.css); 300 dots
# an inch of that is all a printer shows: 1004 pixels a side.
REPORT_PHOTO_PRINT_MM = 85
REPORT_PHOTO_PRINT_SIDE = round(REPORT_PHOTO_PRINT_MM / 25.4 * 300)


def jpeg(image: Image.Image, side: int) -> bytes:
    """``image`` fitted within ``side`` × ``side``, as a JPEG without metadata."""
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= nor icc_profile= given: Pillow writes none of the original's metadata.
    copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def print_copy_of(stored: bytes) -> bytes:
    """The print copy of a photo stored before print copies were made (a JPEG the portal
    wrote: upright, without metadata), or the photo itself when it is no larger."""
    image = Image.open(io.BytesIO(stored))
    if max(image.size) <= REPORT_PHOTO_PRINT_SIDE:
        return stored
    # Decoded at the smallest of JPEG's scales (1/2, 1/4, 1/8) that still covers the print size.
    image.draft("RGB", (REPORT_PHOTO_PRINT_SIDE, REPORT_PHOTO_PRINT_SIDE))
    return jpeg(image.convert("RGB"), REPORT_PHOTO_PRINT_SIDE)


def ensure_print_copy(attachment: Attachment) -> None:
    """Give a photo stored before print copies existed its print copy, once (the report that
    prints it first makes it). Two reports printing it at the same time both make one: the
    row keeps the first and the other file is removed."""
    if attachment.print_file:
        return
    with attachment.file.open("rb") as handle:
        copy = print_copy_of(handle.read())
    attachment.print_file.save("print.jpg", ContentFile(copy), save=False)
    name = attachment.print_file.name
    if not Attachment.objects.filter(pk=attachment.pk, print_file="").update(print_file=name):
        attachment.print_file.delete(save=False)
        attachment.refresh_from_db(fields=["print_file"])
