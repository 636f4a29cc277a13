"""Issue 21, item 3: photos of the work and the office's documents on an intervention.

A photo is recognised by decoding it (never by its name), re-encoded upright as a JPEG without
metadata, resized and given a thumbnail; it is served only to those who may see the
intervention; photos chosen "before"/"after" are printed in the report; after the customer's
signature nothing changes."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from calls.models import Attachment, AttachmentKind, State
from calls.services import CallError, CallRoleRefused, media
from tests.calls.test_actuals_completion import PNG, _ready
from tests.calls.test_signed_frozen_and_resign import _sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def picture(size=(3000, 2000), fmt="JPEG", *, orientation=None, gps=False, colour="navy") -> bytes:
    image = Image.new("RGB" if fmt != "PNG" else "RGBA", size, colour)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation  # EXIF Orientation
    if gps:
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (45.0, 27.0, 50.0)}  # GPSInfo: the plant's position
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", exif=exif.tobytes(), quality=80)
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def _url(name, intervention, *extra):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number, *extra])


@pytest.fixture
def planned(technician, operator):
    return _ready(technician, operator)


def _stored(attachment: Attachment, thumbnail=False) -> Image.Image:
    file = attachment.thumbnail if thumbnail else attachment.file
    with file.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


# --- What is stored ---------------------------------------------------------------------------
def test_a_phone_photo_is_resized_turned_upright_and_stripped_of_its_position(planned, technician):
    # A landscape sensor image the phone marks "rotate 90°" (orientation 6), with GPS data.
    data = picture((3000, 2000), orientation=6, gps=True)
    photo = media.add_photo(intervention=planned, acting_user=technician, upload=upload(data))
    stored = _stored(photo)
    assert stored.format == "JPEG"
    assert stored.size == (1365, 2048)  # upright (portrait), long side 2048
    assert not stored.getexif()  # no orientation, no maker, no GPS left
    assert b"PhoneMaker" not in photo.file.open("rb").read()
    thumbnail = _stored(photo, thumbnail=True)
    assert max(thumbnail.size) == 320
    assert photo.file.name.endswith(".jpg") and "photo" not in photo.file.name.rsplit("/", 1)[1]


@pytest.mark.parametrize(
    ("fmt", "name"), [("PNG", "screen.png"), ("HEIF", "IMG_0001.HEIC"), ("JPEG", "a.jpeg")]
)
def test_jpeg_png_and_heic_are_all_stored_as_jpeg(planned, technician, fmt, name):
    photo = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture((800, 600), fmt), name)
    )
    assert photo.content_type == "image/jpeg"
    assert _stored(photo).format == "JPEG"
    assert _stored(photo).size == (800, 600)  # smaller than the limit: not enlarged
    assert photo.title == name


def test_a_fake_image_with_a_jpeg_name_is_refused(planned, technician):
    fake = upload(b"<html><script>alert(1)</script></html>", "holiday.jpg")
    with pytest.raises(CallError, match="JPEG, PNG or HEIC"):
        media.add_photo(intervention=planned, acting_user=technician, upload=fake)
    truncated = upload(picture((400, 300))[:200], "cut.jpg")
    with pytest.raises(CallError, match="JPEG, PNG or HEIC"):
        media.add_photo(intervention=planned, acting_user=technician, upload=truncated)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(CallError, match="JPEG, PNG or HEIC"):
        media.add_photo(intervention=planned, acting_user=technician, upload=upload(gif.getvalue()))
    assert not Attachment.objects.exists()


def test_a_photo_over_the_size_limit_is_refused_with_the_limit_named(planned, technician, settings):
    settings.ATTACHMENT_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    big = upload(b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024 + 1))
    with pytest.raises(CallError, match="larger than 2 MB"):
        media.add_photo(intervention=planned, acting_user=technician, upload=big)
    assert not Attachment.objects.exists()


def test_the_page_shows_the_refusal_and_keeps_nothing(client_for, planned, technician):
    response = client_for(technician).post(
        _url("photo_add", planned),
        {
            "photo-file": upload(b"not a picture", "x.jpg"),
            "photo-submission_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="photos-error"' in page
    assert "The photo must be a JPEG, PNG or HEIC picture." in page
    assert not Attachment.objects.exists()
    # Without a file: the form's own message.
    response = client_for(technician).post(_url("photo_add", planned), {})
    assert "Take or choose a photo." in response.content.decode()


# --- Who may see and change ---------------------------------------------------------------------
def test_photos_are_served_to_the_technician_and_the_office_only(
    client_for, client, planned, technician, other_technician, operator
):
    photo = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture((640, 480)))
    )
    for name in ("attachment_file", "attachment_thumbnail"):
        url = _url(name, planned, photo.pk)
        mine = client_for(technician).get(url)
        assert mine.status_code == 200
        assert mine["Content-Type"] == "image/jpeg"
        assert mine["X-Content-Type-Options"] == "nosniff"
        assert client_for(operator).get(url).status_code == 200
        assert client_for(other_technician).get(url).status_code == 404
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_technician_b_can_neither_add_nor_remove_nor_tag(
    client_for, planned, technician, other_technician
):
    photo = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture((640, 480)))
    )
    outsider = client_for(other_technician)
    assert outsider.post(_url("photo_add", planned), {}).status_code == 404
    assert outsider.post(_url("attachment_remove", planned, photo.pk)).status_code == 404
    assert outsider.post(_url("photo_tag", planned, photo.pk), {"tag": "before"}).status_code == 404
    with pytest.raises(CallRoleRefused):
        media.add_photo(
            intervention=planned, acting_user=other_technician, upload=upload(picture((64, 64)))
        )
    assert Attachment.objects.get().report_tag == ""


def test_the_technician_adds_tags_and_removes_photos_on_the_page(client_for, planned, technician):
    client = client_for(technician)
    response = client.post(
        _url("photo_add", planned),
        {"photo-file": upload(picture((640, 480))), "photo-submission_token": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    photo = Attachment.objects.get()
    assert photo.kind == AttachmentKind.PHOTO and photo.created_by == technician
    page = client.get(_url("manage", planned)).content.decode()
    assert _url("attachment_thumbnail", planned, photo.pk) in page
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    client.post(_url("photo_tag", planned, photo.pk), {"tag": "after"})
    photo.refresh_from_db()
    assert photo.report_tag == "after"
    client.post(_url("attachment_remove", planned, photo.pk))
    assert not Attachment.objects.exists()


def test_the_office_attaches_documents_the_technician_sees(
    client_for, planned, technician, operator
):
    manual = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    document = media.add_document(
        intervention=planned,
        acting_user=operator,
        upload=upload(manual, "manual.pdf", "application/pdf"),
    )
    assert document.content_type == "application/pdf"
    with document.file.open("rb") as handle:
        assert handle.read() == manual  # a PDF is kept as it was sent
    page = client_for(technician).get(_url("manage", planned)).content.decode()
    assert "manual.pdf" in page and 'data-testid="document-form"' not in page
    served = client_for(technician).get(_url("attachment_file", planned, document.pk))
    assert served["Content-Type"] == "application/pdf"
    with pytest.raises(CallRoleRefused):
        media.add_document(
            intervention=planned, acting_user=technician, upload=upload(manual, "m.pdf")
        )
    with pytest.raises(CallError, match="incomplete or damaged"):
        media.add_document(
            intervention=planned, acting_user=operator, upload=upload(b"%PDF-1.4 cut", "m.pdf")
        )
    with pytest.raises(CallRoleRefused):
        media.remove_attachment(attachment=document, acting_user=technician)


# --- Signed = frozen; the report ----------------------------------------------------------------
def test_after_the_signature_photos_cannot_be_added_removed_or_retagged(
    client_for, planned, technician
):
    photo = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture((640, 480)))
    )
    _sign(planned, technician)
    planned.refresh_from_db()
    assert planned.state == State.DONE
    with pytest.raises(CallError, match="customer signed"):
        media.add_photo(intervention=planned, acting_user=technician, upload=upload(picture()))
    with pytest.raises(CallError, match="customer signed"):
        media.remove_attachment(attachment=photo, acting_user=technician)
    with pytest.raises(CallError, match="customer signed"):
        media.tag_photo(attachment=photo, acting_user=technician, tag="before")
    response = client_for(technician).post(
        _url("photo_add", planned),
        {"photo-file": upload(picture((64, 64))), "photo-submission_token": str(uuid.uuid4())},
    )
    assert "customer signed" in response.content.decode()
    assert Attachment.objects.count() == 1
    page = client_for(technician).get(_url("manage", planned)).content.decode()
    assert 'data-testid="photo-form"' not in page


def test_the_report_pdf_prints_the_two_photos_chosen(client_for, planned, technician):
    before = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture(colour="red"))
    )
    after = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture(colour="green"))
    )
    media.add_photo(  # not chosen: not printed
        intervention=planned, acting_user=technician, upload=upload(picture((100, 100)))
    )
    media.tag_photo(attachment=before, acting_user=technician, tag="before")
    media.tag_photo(attachment=after, acting_user=technician, tag="after")
    _sign(planned, technician)
    response = client_for(technician).get(_url("report_pdf", planned))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    # pypdf may list an image once per reference to it: count distinct pictures.
    images = {
        (image.image.size, hashlib.sha256(image.data).hexdigest())
        for page in reader.pages
        for image in page.images
    }
    sizes = sorted(size for size, _digest in images)
    # The two photos chosen (kept at 2048 × 1365 for the screen), printed at 300 dpi of their
    # 85 mm (1004 pixels), and the signature (1 × 1).
    assert sizes == [(1, 1), (1004, 669), (1004, 669)]
    assert _stored(before).size == (2048, 1365)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Before" in text and "After" in text
    assert PNG  # the signature used by _sign


def _report_images(intervention) -> list[bytes]:
    from calls.documents import report_pdf

    # The image streams as embedded (pypdf's ``images`` would decode and re-encode them).
    page = PdfReader(io.BytesIO(report_pdf(intervention))).pages[0]
    objects = page["/Resources"]["/XObject"].values()
    return [o.get_object().get_data() for o in objects if o.get_object()["/Subtype"] == "/Image"]


def test_a_small_photo_is_printed_as_it_was_stored(planned, technician):
    photo = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture((800, 600)))
    )
    media.tag_photo(attachment=photo, acting_user=technician, tag="before")
    with photo.file.open("rb") as handle:
        stored = handle.read()
    assert stored in _report_images(planned)  # the same JPEG, not compressed a second time


def test_a_photo_stored_before_print_copies_gets_one_on_its_first_report(planned, technician):
    photo = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture(colour="red"))
    )
    media.tag_photo(attachment=photo, acting_user=technician, tag="after")
    photo.print_file.delete(save=False)
    Attachment.objects.filter(pk=photo.pk).update(print_file="")  # as the migration left it
    first = _report_images(planned)
    photo.refresh_from_db()
    assert photo.print_file
    assert _stored(photo, thumbnail=False).size == (2048, 1365)
    with photo.print_file.open("rb") as handle:
        made = handle.read()
    assert Image.open(io.BytesIO(made)).size == (1004, 669)
    assert made in first
    # The next report prints the same copy, not a new one.
    assert made in _report_images(planned)
    photo.refresh_from_db()
    with photo.print_file.open("rb") as handle:
        assert handle.read() == made


def test_rendered_reports_do_not_stay_in_memory(planned, technician):
    """The thread's image cache keeps the letterhead's logo, not each report's photos."""
    from service_portal import pdf

    photo = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture(colour="red"))
    )
    media.tag_photo(attachment=photo, acting_user=technician, tag="before")
    _sign(planned, technician)
    _report_images(planned)
    kept = set(pdf._image_cache())
    assert not any("attachments/" in key or key.startswith("data:") for key in kept)
    _report_images(planned)
    assert set(pdf._image_cache()) == kept


def test_removing_a_photo_removes_its_print_copy(
    planned, technician, django_capture_on_commit_callbacks
):
    photo = media.add_photo(
        intervention=planned, acting_user=technician, upload=upload(picture((64, 64)))
    )
    files = [photo.file.path, photo.thumbnail.path, photo.print_file.path]
    with django_capture_on_commit_callbacks(execute=True):
        media.remove_attachment(attachment=photo, acting_user=technician)
    assert not any(Path(name).exists() for name in files)


# --- Fixed queries ------------------------------------------------------------------------------
def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_management_page_queries_do_not_grow_with_photos(client_for, planned, technician, operator):
    client = client_for(technician)
    url = _url("manage", planned)
    media.add_photo(intervention=planned, acting_user=technician, upload=upload(picture((64, 64))))
    small = _count(client, url)
    for _n in range(6):
        media.add_photo(
            intervention=planned, acting_user=technician, upload=upload(picture((64, 64)))
        )
    media.add_document(
        intervention=planned,
        acting_user=operator,
        upload=upload(b"%PDF-1.4\n%%EOF", "d.pdf", "application/pdf"),
    )
    assert _count(client, url) == small
