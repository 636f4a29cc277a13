"""The company profile: the one record administrators keep of the company that sends the
documents, shown in the top bar, on the login page, on every document and in e-mail signatures."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from calls.documents import report_pdf
from orders.documents import offer_pdf
from quotes.models import RateKind
from service_portal import company
from service_portal.fiscal import contrast_ratio
from service_portal.models import CompanyProfile
from tests.factories import make_company_profile, make_customer
from tests.invoicing.factories import make_quote, make_verified_call
from tests.service_portal.test_documents_languages import _invoice, _offer

pytestmark = pytest.mark.django_db

VALID = {
    # What the browser sends with a first profile: the create-once token of the form.
    "submission_token": str(uuid.uuid4()),
    "legal_name": "Officine Brambilla S.p.A.",
    "address": "Via Roma 1",
    "postal_code": "24100",
    "city": "Bergamo",
    "province": "bg",
    "vat_number": "02839470156",
    "fiscal_code": "02839470156",
    "rea_office": "bg",
    "rea_number": "123456",
    "share_capital": "120000",
    "tax_regime": "RF01",
    "pec": "brambilla@pec.example.it",
    "phone": "+39 035 123456",
    "email": "info@brambilla.example.it",
    "website": "www.brambilla.example.it",
    "bank_name": "Banca di Bergamo",
    "iban": "it60 x054 2811 1010 0000 0123 456",
    "bic": "",
    "payment_terms_it": "Bonifico a 60 giorni",
    "payment_terms_en": "Bank transfer, 60 days",
    "invoice_series": "sp",
    "footer_text_it": "Piè di pagina",
    "footer_text_en": "Footer",
    "accent_colour": "#1f4e79",
}

PNG = io.BytesIO()
Image.new("RGB", (4, 2), "navy").save(PNG, format="PNG")
PNG_BYTES = PNG.getvalue()
SVG_BYTES = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def no_profile():
    """A new installation: nobody has filled in the company profile yet."""
    CompanyProfile.objects.all().delete()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_administrator_fills_in_the_profile_and_the_numbers_are_normalised(
    no_profile, admin_client_
):
    page = admin_client_.get(reverse("company_profile"))
    assert page.status_code == 200
    response = admin_client_.post(reverse("company_profile"), VALID)
    assert response.status_code == 302
    profile = CompanyProfile.objects.get()
    assert profile.vat_number == "IT02839470156"
    assert profile.iban == "IT60X0542811101000000123456"
    assert profile.iban_display == "IT60 X054 2811 1010 0000 0123 456"
    assert (profile.province, profile.rea_office, profile.invoice_series) == ("BG", "BG", "SP")
    assert profile.payment_terms_en == "Bank transfer, 60 days"
    # The top bar names the company at once (the cached copy is refreshed on save).
    home = admin_client_.get(reverse("company_profile"))
    assert "Officine Brambilla S.p.A." in home.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vat_number", "02839470157", "non è una partita IVA italiana valida"),
        ("fiscal_code", "RSSMRA80A01F205Y", "non è un codice fiscale italiano valido"),
        ("iban", "IT60X0542811101000000123457", "non è un IBAN valido"),
        ("accent_colour", "#6ea8fe", "contrasto"),
        ("accent_colour", "blue", "sei cifre esadecimali"),
        ("postal_code", "2410", "Cinque cifre"),
    ],
)
def test_wrong_data_is_refused_with_a_translated_message_and_kept(
    no_profile, admin_client_, field, value, message
):
    admin_client_.post(reverse("accounts:set_language"), {"language": "it"})
    response = admin_client_.post(reverse("company_profile"), {**VALID, field: value})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert value in body  # what was typed stays in the form
    assert not CompanyProfile.objects.exists()


def test_the_accent_colour_check_is_the_wcag_ratio():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#0d6efd", "#ffffff"), 2) == 4.5  # Bootstrap's blue: just AA
    assert contrast_ratio("#6ea8fe", "#ffffff") < 4.5


def test_operators_and_technicians_cannot_change_the_profile(
    no_profile, client_for, operator, technician
):
    for user in (operator, technician):
        response = client_for(user).post(reverse("company_profile"), VALID)
        assert response.status_code == 403
    assert not CompanyProfile.objects.exists()


def test_someone_elses_later_save_is_not_overwritten(admin_client_):
    profile = make_company_profile()
    page = admin_client_.get(reverse("company_profile"))
    version = page.context["form"].initial["version"]
    CompanyProfile.objects.get().save()  # another administrator saved meanwhile
    response = admin_client_.post(
        reverse("company_profile"), {**VALID, "version": version, "legal_name": "Mine S.r.l."}
    )
    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.legal_name == "Tecnoservice Lombarda S.r.l."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", b"GIF89a not a png at all"),
        ("logo.png", b"\x89PNG\r\n\x1a\n but broken"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://evil.example/x.png"/></svg>',
        ),
        (
            "logo.svg",
            b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        ),
        ("logo.svg", b"<html><body>hello</body></html>"),
    ],
)
def test_a_logo_is_checked_by_its_content(no_profile, admin_client_, name, content):
    admin_client_.post(reverse("accounts:set_language"), {"language": "en"})
    logo = SimpleUploadedFile(name, content, content_type="image/png")
    response = admin_client_.post(reverse("company_profile"), {**VALID, "logo": logo})
    assert response.status_code == 200
    assert "The logo must be a PNG image or an SVG drawing" in response.content.decode()
    assert not CompanyProfile.objects.exists()


@pytest.mark.parametrize(
    ("content", "mime"), [(PNG_BYTES, "image/png"), (SVG_BYTES, "image/svg+xml")]
)
def test_the_portal_serves_the_logo_to_everyone(no_profile, admin_client_, client, content, mime):
    logo = SimpleUploadedFile("whatever.gif", content, content_type="image/gif")
    admin_client_.post(reverse("company_profile"), {**VALID, "logo": logo})
    profile = CompanyProfile.objects.get()
    assert profile.logo.name.endswith(".png" if mime == "image/png" else ".svg")
    response = client.get(reverse("company_logo"))  # anonymous: the login page shows it
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert response.content == content
    assert response["X-Content-Type-Options"] == "nosniff"
    if mime == "image/svg+xml":
        assert "default-src 'none'" in response["Content-Security-Policy"]
    login = client.get(reverse("accounts:login")).content.decode()
    assert reverse("company_logo") in login
    assert "Officine Brambilla S.p.A." in login


def test_the_accent_colour_reaches_the_top_bar_through_a_stylesheet(client):
    make_company_profile(accent_colour="#7a1f5c")
    login = client.get(reverse("accounts:login")).content.decode()
    assert reverse("company_theme") in login
    css = client.get(reverse("company_theme")).content.decode()
    assert "#7a1f5c" in css
    assert "style=" not in login.split("<body", 1)[1]  # no inline style (CSP)


def test_without_a_profile_the_name_setting_is_used_and_administrators_are_warned(
    no_profile, admin_client_, operator_client, settings
):
    settings.COMPANY_NAME = "Fallback Service"
    page = admin_client_.get(reverse("dashboard:home")).content.decode()
    assert "Fallback Service" in page
    assert 'data-testid="company-profile-missing"' in page
    assert reverse("company_profile") in page
    assert (
        'data-testid="company-profile-missing"'
        not in operator_client.get(reverse("dashboard:home")).content.decode()
    )
    make_company_profile()
    page = admin_client_.get(reverse("dashboard:home")).content.decode()
    assert 'data-testid="company-profile-missing"' not in page
    assert "Tecnoservice Lombarda S.r.l." in page


def test_the_profile_costs_no_query_on_a_page(no_profile, admin_client_, django_assert_num_queries):
    url = reverse("customers:customer_list")
    admin_client_.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without:
        admin_client_.get(url)
    make_company_profile()
    with CaptureQueriesContext(connection) as with_profile:
        body = admin_client_.get(url).content.decode()
    assert "Tecnoservice Lombarda S.r.l." in body
    assert len(with_profile) == len(without)


LETTERHEAD = [
    "Tecnoservice Lombarda S.r.l.",
    "IT02839470156",
    "Via dell'Industria 24",
    "20090 Segrate (MI)",
    "MI 1623457",
]


def _assert_letterhead(text: str) -> None:
    flat = " ".join(text.split())
    for part in LETTERHEAD:
        assert part in flat, part


def test_every_document_carries_the_letterhead_and_the_footer_in_its_language(
    operator, administrator, operator_client, django_capture_on_commit_callbacks
):
    make_company_profile(
        footer_text_it="Grazie per la fiducia", footer_text_de="Danke für Ihr Vertrauen"
    )
    offer = _offer(operator, "de")
    text = _text(offer_pdf(offer))
    _assert_letterhead(text)
    assert "Danke für Ihr Vertrauen" in text
    offer.show_prices = False
    _assert_letterhead(_text(offer_pdf(offer, show_prices=False)))
    quote = make_quote(make_customer(language="it"), lines=[(RateKind.LABOUR_HOUR, "1", "50")])
    quote_text = _text(operator_client.get(reverse("quotes:quote_pdf", args=[quote.pk])).content)
    _assert_letterhead(quote_text)
    assert "Grazie per la fiducia" in quote_text
    call = make_verified_call()
    _assert_letterhead(_text(report_pdf(call.interventions.get(number=1))))
    invoice = _invoice(administrator, "it", django_capture_on_commit_callbacks)
    from invoicing import credits as invoicing_credits
    from invoicing.documents import invoice_pdf

    _assert_letterhead(_text(invoice_pdf(invoice)))
    note = invoicing_credits.issue_credit_note(
        invoice=invoice, acting_user=administrator, reason="Errore"
    )
    _assert_letterhead(_text(invoice_pdf(note)))
    # The e-mail that carried the invoice signs with the company's identity.
    signature = mail.outbox[-1].body
    assert "Tecnoservice Lombarda S.r.l." in signature
    assert "IT02839470156" in signature
    assert "Via dell'Industria 24, 20090 Segrate (MI)" in signature


def test_the_seeded_demo_company_is_complete(no_profile, db):
    from service_portal.demo import seed

    class Progress:
        def step(self, *args):
            pass

    seed(scale=0, progress=Progress())
    seed(scale=0, progress=Progress())  # idempotent
    profile = CompanyProfile.objects.get()
    profile.full_clean()
    assert profile.logo
    assert company.current() == profile


def _positions(document: bytes) -> dict[str, tuple[float, float]]:
    """Where each piece of text of the first page starts, in mm from the page's top-left
    corner."""
    positions: dict[str, tuple[float, float]] = {}
    page = PdfReader(io.BytesIO(document)).pages[0]
    height = float(page.mediabox.height)

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip():
            positions.setdefault(text.strip(), (x * 25.4 / 72, (height - y) * 25.4 / 72))

    page.extract_text(visitor_text=visit)
    return positions


def _logo_file(content: bytes, name: str):
    from django.core.files.base import ContentFile

    return ContentFile(content, name=name)


def _identity_at(document: bytes) -> tuple[float, float]:
    return next(value for key, value in _positions(document).items() if "Tecnoservice" in key)


@pytest.mark.parametrize(
    ("content", "name", "logo_width_mm"),
    [
        (SVG_BYTES, "logo.svg", 16),  # a square drawing without a size: as high as the box
        (PNG_BYTES, "logo.png", 4 * 25.4 / 96),  # a 4 x 2 px picture keeps its own size
    ],
)
def test_the_company_identity_stands_beside_the_logo_and_the_invoice_keeps_to_one_page(
    administrator, django_capture_on_commit_callbacks, content, name, logo_width_mm
):
    from invoicing.documents import invoice_pdf

    profile = make_company_profile()
    invoice = _invoice(administrator, "it", django_capture_on_commit_callbacks)
    without_logo = invoice_pdf(invoice)
    profile.logo = _logo_file(content, name)
    profile.save()
    with_logo = invoice_pdf(invoice)
    assert len(PdfReader(io.BytesIO(with_logo)).pages) == 1
    (x, y), (margin_x, margin_y) = _identity_at(with_logo), _identity_at(without_logo)
    # 4 mm right of the logo, on the same line as without a logo (not pushed below it)
    assert x - margin_x == pytest.approx(logo_width_mm + 4, abs=0.3)
    assert y == pytest.approx(margin_y, abs=0.3)
    assert _text(with_logo) == _text(without_logo)
    # The letterhead is read first (a positioned header would be drawn, and read, last).
    assert _text(with_logo).startswith(profile.legal_name)


@pytest.mark.parametrize(
    ("size", "expected_mm"),
    [
        ((2000, 200), (45, 4.5)),  # a wide banner: as wide as the box
        ((300, 600), (8, 16)),  # a tall picture: as high as the box
        ((40, 20), (40 * 25.4 / 96, 20 * 25.4 / 96)),  # small: never enlarged
    ],
)
def test_the_logo_fits_the_letterhead_box_without_being_enlarged(size, expected_mm):
    from service_portal import pdf

    picture = io.BytesIO()
    Image.new("RGB", size, "navy").save(picture, format="PNG")
    profile = make_company_profile(logo=_logo_file(picture.getvalue(), "logo.png"))
    logo = pdf._letterhead_logo(company.Branding(profile).logo_document_url)
    width, height = (
        float(value.removesuffix("px")) * 25.4 / 96 for value in (logo.width, logo.height)
    )
    assert width == pytest.approx(expected_mm[0], abs=0.05)
    assert height == pytest.approx(expected_mm[1], abs=0.05)
    assert float(logo.indent.removesuffix("px")) * 25.4 / 96 == pytest.approx(width + 4, abs=0.05)


def test_a_name_saved_by_another_worker_reaches_the_top_bar_within_seconds(
    operator_client, monkeypatch
):
    """The pages' layout keeps the profile in the process for a few seconds (no cache round trip
    a page); documents read the shared copy at once. Another worker's save only renews the
    shared copy, as simulated here."""
    page = reverse("customers:customer_list")
    assert "Tecnoservice Lombarda S.r.l." in operator_client.get(page).content.decode()
    elsewhere = CompanyProfile.objects.get()
    elsewhere.legal_name = "Officine Altrove S.r.l."
    CompanyProfile.objects.filter(pk=elsewhere.pk).update(legal_name=elsewhere.legal_name)
    from django.core.cache import cache

    cache.set(company.CACHE_KEY, elsewhere, company.CACHE_SECONDS)  # the other worker's save
    assert company.branding().name == "Officine Altrove S.r.l."  # documents, e-mails
    assert "Tecnoservice Lombarda S.r.l." in operator_client.get(page).content.decode()
    monkeypatch.setattr(company, "PAGE_SECONDS", 0.0)  # as if the seconds had passed
    html = operator_client.get(page).content.decode()
    assert "Officine Altrove S.r.l." in html and "Tecnoservice Lombarda" not in html


def test_a_name_saved_in_this_worker_shows_at_the_next_page(admin_client_):
    page = reverse("customers:customer_list")
    admin_client_.get(page)
    profile = CompanyProfile.objects.get()
    profile.legal_name = "Officine Qui S.r.l."
    profile.save()
    assert "Officine Qui S.r.l." in admin_client_.get(page).content.decode()
