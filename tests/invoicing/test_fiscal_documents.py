"""Invoices an accountant accepts: the customer's fiscal data checked before a number is taken,
and the content art. 21 DPR 633/1972 lists on every issued invoice and credit note."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from calls.models import Expense, ExpenseKind
from customers.fiscal import VatRegime
from customers.models import Customer
from invoicing import credits, services
from invoicing.documents import invoice_pdf
from invoicing.models import Correction, Invoice, InvoiceState, LineKind
from service_portal.models import CompanyProfile, Counter
from tests.factories import make_customer, make_product, make_site, make_unit
from tests.invoicing.factories import DAY, make_verified_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(administrator):
    return administrator


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def _draft(admin, customer: Customer | None = None, **kwargs) -> Invoice:
    customer = customer or make_customer()
    call = make_verified_call(unit=make_unit(site=make_site(customer)), **kwargs)
    return services.create_draft(calls=[call], acting_user=admin)


def _invoice_counter() -> int:
    counter = Counter.objects.filter(series="invoice", year=timezone.localdate().year).first()
    return counter.value if counter else 0


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"vat_number": "", "sdi_code": "0000000"}, ["VAT number"]),
        ({"sdi_code": "", "pec": ""}, ["SDI recipient code or PEC"]),
        ({"address": "", "postal_code": ""}, ["address", "postal code"]),
        (
            {"vat_regime": VatRegime.EU_BUSINESS, "country": "DE", "vat_number": ""},
            ["VAT number"],
        ),
        (
            {"vat_regime": VatRegime.PRIVATE, "vat_number": "", "fiscal_code": ""},
            ["fiscal code"],
        ),
        (
            {"is_public_administration": True, "sdi_code": "", "fiscal_code": ""},
            ["fiscal code", "SDI recipient code"],
        ),
    ],
)
def test_issuing_without_the_fiscal_data_the_law_requires_is_refused_and_numbers_nothing(
    admin, fields, named
):
    customer = make_customer()
    draft = _draft(admin, customer)
    Customer.objects.filter(pk=customer.pk).update(**fields)
    before = _invoice_counter()
    with pytest.raises(services.InvoicingError) as refused:
        services.issue(invoice=draft, acting_user=admin)
    message = refused.value.message
    for label in named:
        assert label in message
    assert reverse("customers:customer_update", args=[customer.pk]) in message
    draft.refresh_from_db()
    assert draft.state == InvoiceState.DRAFT and draft.code is None
    assert _invoice_counter() == before
    # Completed, the same draft takes the next number: the series has no gap.
    Customer.objects.filter(pk=customer.pk).update(
        address="Via Roma 1",
        postal_code="20100",
        vat_number="IT00000010157" if not fields.get("country") else "DE136695976",
        fiscal_code="RSSMRA80A01F205X",
        sdi_code="ABC123" if fields.get("is_public_administration") else "0000000",
    )
    issued = services.issue(invoice=draft, acting_user=admin)
    assert issued.number == before + 1


def test_the_refusal_on_the_page_links_to_the_customer(admin, admin_client_):
    customer = make_customer(name="Rossi & Figli S.r.l.")
    draft = _draft(admin, customer)
    Customer.objects.filter(pk=customer.pk).update(sdi_code="", pec="")
    admin_client_.post(reverse("accounts:set_language"), {"language": "it"})
    response = admin_client_.post(
        reverse("invoicing:invoice_issue", args=[draft.pk]), {"confirm": "yes"}, follow=True
    )
    body = response.content.decode()
    assert "Non emessa" in body
    assert "codice destinatario SDI o PEC" in body
    assert f'href="{reverse("customers:customer_update", args=[customer.pk])}"' in body
    assert "Rossi &amp; Figli S.r.l." in body  # escaped, not injected
    assert Invoice.objects.get(pk=draft.pk).state == InvoiceState.DRAFT


def test_without_a_company_profile_nothing_is_issued(admin):
    draft = _draft(admin)
    CompanyProfile.objects.all().delete()
    with pytest.raises(services.InvoicingError) as refused:
        services.issue(invoice=draft, acting_user=admin)
    assert "company profile" in refused.value.message
    assert _invoice_counter() == 0


@pytest.mark.parametrize(
    ("value", "country", "pa", "error"),
    [
        ("12345", "IT", False, "7 lettere o cifre"),
        ("XXXXXXX", "IT", False, "XXXXXXX è per i clienti all’estero"),
        ("ABCDEFG", "IT", True, "6 lettere o cifre"),
    ],
)
def test_the_customer_form_checks_the_sdi_code(admin_client_, value, country, pa, error):
    customer = make_customer()
    admin_client_.post(reverse("accounts:set_language"), {"language": "it"})
    url = reverse("customers:customer_update", args=[customer.pk])
    form = admin_client_.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(sdi_code=value, country=country, is_public_administration="on" if pa else "")
    if not pa:
        data.pop("is_public_administration")
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    customer.refresh_from_db()
    assert customer.sdi_code == "0000000"


def test_an_eu_regime_needs_an_eu_country(admin_client_):
    customer = make_customer()
    admin_client_.post(reverse("accounts:set_language"), {"language": "en"})
    url = reverse("customers:customer_update", args=[customer.pk])
    data = {k: v for k, v in admin_client_.get(url).context["form"].initial.items() if v}
    data.update(vat_regime=VatRegime.EU_BUSINESS)
    response = admin_client_.post(url, data)
    assert "An EU business has its address in an EU country other than Italy." in (
        response.content.decode()
    )


def test_the_country_is_printed_by_name_in_the_documents_language(admin):
    customer = make_customer(
        country="DE",
        vat_regime=VatRegime.EU_BUSINESS,
        vat_number="DE136695976",
        language="de",
        postal_code="70565",
        city="Stuttgart",
    )
    invoice = services.issue(invoice=_draft(admin, customer), acting_user=admin)
    assert invoice.customer_country == "DE"
    assert invoice.customer_sdi_code == "XXXXXXX"
    assert "\nDE" not in invoice.customer_address
    text = _text(invoice_pdf(invoice))
    assert "Deutschland" in text
    with translation.override("it"):
        Invoice.objects.filter(pk=invoice.pk).update(language="it")
        invoice.refresh_from_db()
        assert "Germania" in _text(invoice_pdf(invoice))


ART_21 = [
    # (what art. 21 asks for, how the German invoice shows it)
    ("seller's name", "Tecnoservice Lombarda S.r.l."),
    ("seller's address", "Via dell'Industria 24 · 20090 Segrate (MI)"),
    ("seller's VAT number", "IT02839470156"),
    ("customer's name", "Metallbau Schneider GmbH"),
    ("customer's address", "Industriestraße 7"),
    ("customer's country", "Deutschland"),
    ("customer's VAT number", "DE136695976"),
    ("date", None),  # filled in the test
    ("number", None),
    ("nature and quantity of the goods", "Valve 2 12,35"),
    ("the machine and its serial number", "Seriennummer SN-ART21"),
    ("unit price of the services", "55,00"),
    # A German business: services not subject to Italian VAT (art. 7-ter), goods an intra-EU
    # supply (art. 41), each with its Natura and the reference in the customer's language.
    ("VAT rate and nature", "0 N2.1"),
    ("exemption reference", "Art. 7-ter DPR 633/72"),
    ("exemption reference (goods)", "Art. 41 DL 331/1993"),
    ("taxable amount and VAT per rate", "Nettobetrag"),
    ("total", "Gesamt"),
    ("payment terms", "Banküberweisung, 30 Tage ab Rechnungsdatum"),
    ("IBAN", "IT60 X054 2811 1010 0000 0123 456"),
]


def test_an_issued_invoice_holds_what_art_21_lists_and_nothing_internal(admin):
    profile = CompanyProfile.objects.get()
    profile.payment_terms_de = "Banküberweisung, 30 Tage ab Rechnungsdatum"
    profile.footer_text_de = "Vielen Dank für Ihr Vertrauen"
    profile.save()
    customer = make_customer(
        name="Metallbau Schneider GmbH",
        address="Industriestraße 7",
        postal_code="70565",
        city="Stuttgart",
        country="DE",
        vat_regime=VatRegime.EU_BUSINESS,
        vat_number="DE136695976",
        language="de",
    )
    unit = make_unit(site=make_site(customer), product=make_product(), serial_number="SN-ART21")
    call = make_verified_call(unit=unit)
    intervention = call.interventions.get(number=1)
    Expense.objects.create(
        intervention=intervention,
        kind=ExpenseKind.MEAL,
        date=DAY,
        amount=Decimal("12.00"),
        note="Mittagessen mit dem Lehrling, privat",
        created_by=intervention.technician,
    )
    Correction.objects.create(
        intervention=intervention, kind=LineKind.KM, line="km", quantity=80, reason="x", by=admin
    )
    draft = services.create_draft(calls=[call], acting_user=admin)
    with translation.override("it"):  # the clerk works in Italian
        invoice = services.issue(invoice=draft, acting_user=admin)
    text = _text(invoice_pdf(invoice))
    expected = dict(ART_21)
    expected["date"] = invoice.issue_date.strftime("%d.%m.%Y")
    expected["number"] = invoice.code
    missing = [what for what, shown in expected.items() if shown not in text]
    assert not missing, (missing, text)
    assert "Vielen Dank für Ihr Vertrauen" in text  # the footer in the document's language
    # Internal notes, correction markers and the office's arithmetic stay on the portal.
    for internal in ("Mittagessen", "privat", "korrigiert", "corretto", "keine Preise", "× 0,00"):
        assert internal not in text, internal
    # One totals block.
    assert text.count("Gesamt") == 1
    # The kilometres read as distance x the customer's km price (the corrected distance).
    km = invoice.lines.get(kind=LineKind.KM)
    assert (km.quantity, km.unit_price, km.amount) == (
        Decimal(80),
        Decimal("0.58"),
        Decimal("46.40"),
    )
    assert "46,40" in text


def test_the_invoice_series_is_added_to_the_number(admin):
    CompanyProfile.objects.filter(pk=1).update(invoice_series="SP")
    invoice = services.issue(invoice=_draft(admin), acting_user=admin)
    assert invoice.code == f"{invoice.year}/0001/SP"
    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Errore")
    assert note.code == f"NC {note.year}/0001/SP"


def test_a_later_change_of_the_profile_leaves_issued_invoices_as_they_were(admin):
    invoice = services.issue(invoice=_draft(admin), acting_user=admin)
    profile = CompanyProfile.objects.get()
    profile.legal_name = "New Name S.p.A."
    profile.address = "Corso Nuovo 1"
    profile.save()
    text = _text(invoice_pdf(invoice))
    assert "Tecnoservice Lombarda S.r.l." in text
    assert "New Name" not in text


def test_the_draft_says_what_is_missing_before_anyone_tries_to_issue(admin, admin_client_):
    customer = make_customer()
    draft = _draft(admin, customer)
    page = admin_client_.get(reverse("invoicing:invoice_detail", args=[draft.pk])).content
    assert b'data-testid="missing-fiscal"' not in page
    Customer.objects.filter(pk=customer.pk).update(vat_number="", sdi_code="", pec="")
    admin_client_.post(reverse("accounts:set_language"), {"language": "en"})
    page = admin_client_.get(reverse("invoicing:invoice_detail", args=[draft.pk])).content.decode()
    assert 'data-testid="missing-fiscal"' in page
    assert "missing: VAT number, SDI recipient code or PEC" in page
    assert reverse("customers:customer_update", args=[customer.pk]) in page


GERMANY = {
    "it": "Germania",
    "en": "Germany",
    "de": "Deutschland",
    "fr": "Allemagne",
    "es": "Alemania",
}


@pytest.mark.parametrize("language", list(GERMANY))
def test_every_language_shows_the_letterhead_the_country_by_name_and_no_internal_note(
    admin, operator_client, language
):
    from quotes.models import RateKind
    from tests.invoicing.factories import make_quote

    customer = make_customer(
        country="DE",
        vat_regime=VatRegime.EU_BUSINESS,
        vat_number="DE136695976",
        language=language,
        postal_code="70565",
        city="Stuttgart",
    )
    call = make_verified_call(unit=make_unit(site=make_site(customer)))
    intervention = call.interventions.get(number=1)
    Expense.objects.create(
        intervention=intervention,
        kind=ExpenseKind.MEAL,
        date=DAY,
        amount=Decimal("9.00"),
        note="internal lunch note",
        created_by=intervention.technician,
    )
    draft = services.create_draft(calls=[call], acting_user=admin)
    invoice = services.issue(invoice=draft, acting_user=admin)
    quote = make_quote(customer, lines=[(RateKind.LABOUR_HOUR, "1", "50")])
    quote_pdf = operator_client.get(reverse("quotes:quote_pdf", args=[quote.pk])).content
    for text in (_text(invoice_pdf(invoice)), _text(quote_pdf)):
        assert "Tecnoservice Lombarda S.r.l." in text and "IT02839470156" in text
        assert GERMANY[language] in text
        assert "internal lunch note" not in text
