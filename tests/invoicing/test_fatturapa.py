"""FatturaPA files an SDI intermediary accepts: every issued invoice and credit note becomes an
XML file that passes the official schema and the Agenzia's totals rules, downloaded one by one,
in a zip of a period, or written by ``manage.py export_fatturapa``."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from lxml import etree

from customers.fiscal import VatRegime
from customers.models import Customer
from invoicing import credits, services
from invoicing.fatturapa import build, schema
from invoicing.models import Invoice, InvoiceLine, LineKind
from service_portal.money import money
from tests.factories import make_customer, make_site, make_unit
from tests.invoicing.factories import make_verified_call

pytestmark = pytest.mark.django_db

REVERSE_CHARGE = "Operazione non soggetta art. 7-ter DPR 633/72, inversione contabile"
EXPORT = "Non imponibile art. 8 DPR 633/72"
EXEMPT = "Esente art. 10 DPR 633/72"


@pytest.fixture
def admin(administrator):
    return administrator


def _issued(admin, customer: Customer | None = None) -> Invoice:
    """An invoice issued through the services (labour and travel at 22 %, a part at 10 %)."""
    customer = customer or make_customer()
    call = make_verified_call(unit=make_unit(site=make_site(customer)))
    draft = services.create_draft(calls=[call], acting_user=admin)
    return services.issue(invoice=draft, acting_user=admin)


def _treat(invoice: Invoice, *, rate: str, natura: str = "", reference: str = "", **fields):
    """Give every line the VAT treatment the VAT rules freeze (the frozen fields are written
    here directly, as those rules would at issue time), with the invoice's totals to match."""
    InvoiceLine.objects.filter(invoice=invoice).update(
        vat_rate=Decimal(rate), vat_natura=natura, vat_reference=reference
    )
    taxable = sum(line.amount for line in invoice.lines.all())
    vat = money(taxable * Decimal(rate) / 100)
    Invoice.objects.filter(pk=invoice.pk).update(
        taxable=taxable, vat=vat, total=taxable + vat, **fields
    )
    return Invoice.objects.get(pk=invoice.pk)


def _eu_customer() -> Customer:
    return make_customer(
        name="Maschinenbau Schmidt GmbH",
        address="Industriestraße 5",
        postal_code="80331",
        city="München",
        country="DE",
        vat_regime=VatRegime.EU_BUSINESS,
        vat_number="DE136695976",
        sdi_code="XXXXXXX",
        language="de",
    )


def _swiss_customer() -> Customer:
    return make_customer(
        name="Präzision AG",
        address="Bahnhofstrasse 1",
        postal_code="8001",
        city="Zürich",
        country="CH",
        vat_regime=VatRegime.NON_EU,
        vat_number="CHE123456788",
        sdi_code="XXXXXXX",
        language="de",
    )


def _public_administration() -> Customer:
    return make_customer(
        name="Comune di Segrate",
        address="Via I Maggio 1",
        postal_code="20054",
        city="Segrate",
        province="MI",
        vat_number="",
        fiscal_code="83503670156",
        is_public_administration=True,
        sdi_code="UFA1B2",
    )


def _xml(invoice: Invoice) -> etree._Element:
    data = build.document(Invoice.objects.get(pk=invoice.pk))
    assert schema.errors(data) == []
    return etree.fromstring(data)


def _text(root: etree._Element, path: str) -> str:
    return root.findtext(f".//{path}")


def _assert_agenzia_rules(root: etree._Element) -> None:
    """The Agenzia's checks beyond the schema (technical specifications 1.9)."""
    lines = root.findall(".//DettaglioLinee")
    summaries = root.findall(".//DatiRiepilogo")
    groups: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        quantity = Decimal(line.findtext("Quantita"))
        price = Decimal(line.findtext("PrezzoUnitario"))
        total = Decimal(line.findtext("PrezzoTotale"))
        if line.find("ScontoMaggiorazione") is not None:
            price = Decimal(0)
        assert abs(money(quantity * price) - total) <= Decimal("0.01")
        key = (line.findtext("AliquotaIVA"), line.findtext("Natura") or "")
        assert (Decimal(key[0]) == 0) == bool(key[1]), "Natura exactly when the rate is 0"
        groups[key] = groups.get(key, Decimal(0)) + total
    seen = set()
    document_total = Decimal(0)
    for summary in summaries:
        key = (summary.findtext("AliquotaIVA"), summary.findtext("Natura") or "")
        assert key not in seen, "one summary per (rate, nature)"
        seen.add(key)
        taxable = Decimal(summary.findtext("ImponibileImporto"))
        tax = Decimal(summary.findtext("Imposta"))
        assert taxable == groups[key]
        assert tax == money(taxable * Decimal(key[0]) / 100)
        assert (Decimal(key[0]) == 0) == bool(key[1])
        if key[1]:
            assert summary.findtext("RiferimentoNormativo")
        document_total += taxable + tax
    assert set(groups) == seen
    for amount in root.iter(
        "PrezzoTotale", "ImponibileImporto", "Imposta", "ImportoTotaleDocumento"
    ):
        assert re.fullmatch(r"\d+\.\d{2,8}", amount.text), "positive, dot, 2+ decimals"
    stamp = Decimal(_text(root, "ImportoBollo") or 0)
    assert Decimal(_text(root, "ImportoTotaleDocumento")) in (
        document_total,
        document_total + stamp,
    )


# --- The cases of the issue ---------------------------------------------------------------------
def test_an_italian_business_at_22_percent(admin):
    invoice = _treat(_issued(admin), rate="22.00")
    root = _xml(invoice)
    _assert_agenzia_rules(root)
    assert root.get("versione") == "FPR12"
    assert _text(root, "FormatoTrasmissione") == "FPR12"
    assert _text(root, "TipoDocumento") == "TD01"
    assert _text(root, "Numero") == invoice.code
    assert _text(root, "Data") == invoice.issue_date.isoformat()
    assert _text(root, "CodiceDestinatario") == "0000000"
    assert [s.findtext("AliquotaIVA") for s in root.iter("DatiRiepilogo")] == ["22.00"]
    assert _text(root, "ImportoTotaleDocumento") == f"{invoice.total:.2f}"
    seller = root.find(".//CedentePrestatore")
    assert seller.findtext(".//IdPaese") == "IT"
    assert seller.findtext(".//IdCodice") == "02839470156"
    assert seller.findtext(".//RegimeFiscale") == "RF01"
    assert seller.findtext(".//NumeroREA") == "1623457"
    assert seller.findtext(".//CapitaleSociale") == "50000.00"
    customer = root.find(".//CessionarioCommittente")
    assert customer.findtext(".//IdCodice") == invoice.customer_vat_number[2:]
    assert customer.findtext(".//CAP") == "20100"
    assert customer.findtext(".//Comune") == "Milano"
    assert customer.findtext(".//Nazione") == "IT"
    assert _text(root, "IBAN") == "IT60X0542811101000000123456"
    assert _text(root, "ImportoPagamento") == f"{invoice.total:.2f}"


def test_mixed_rates_give_one_summary_per_rate_with_the_vat_rounded_per_summary(admin):
    invoice = _issued(admin)  # labour, travel, km and the meal at 22 %, the part at 10 %
    root = _xml(invoice)
    _assert_agenzia_rules(root)
    rates = [s.findtext("AliquotaIVA") for s in root.iter("DatiRiepilogo")]
    assert rates == ["22.00", "10.00"]
    assert _text(root, "ImportoTotaleDocumento") == f"{invoice.total:.2f}"
    assert all(s.findtext("EsigibilitaIVA") == "I" for s in root.iter("DatiRiepilogo"))


def test_a_pec_recipient_gets_the_pec_in_the_transmission_data(admin):
    customer = make_customer(sdi_code="0000000", pec="fatture@pec.cliente.example.it")
    root = _xml(_issued(admin, customer))
    assert _text(root, "CodiceDestinatario") == "0000000"
    assert _text(root, "PECDestinatario") == "fatture@pec.cliente.example.it"


def test_an_eu_business_is_reverse_charged_with_its_country_and_no_postal_code(admin):
    invoice = _treat(
        _issued(admin, _eu_customer()), rate="0.00", natura="N2.1", reference=REVERSE_CHARGE
    )
    root = _xml(invoice)
    _assert_agenzia_rules(root)
    assert _text(root, "CodiceDestinatario") == "XXXXXXX"
    customer = root.find(".//CessionarioCommittente")
    assert customer.findtext(".//IdPaese") == "DE"
    assert customer.findtext(".//IdCodice") == "136695976"
    assert customer.findtext(".//CAP") == "00000"
    assert customer.findtext(".//Nazione") == "DE"
    assert customer.findtext(".//Indirizzo") == "Industriestraße 5"
    assert customer.find(".//Provincia") is None
    (summary,) = root.iter("DatiRiepilogo")
    assert summary.findtext("Natura") == "N2.1"
    assert summary.findtext("Imposta") == "0.00"
    assert summary.findtext("RiferimentoNormativo") == REVERSE_CHARGE
    assert summary.find("EsigibilitaIVA") is None


def test_an_export_outside_the_eu_is_non_taxable_n3_1(admin):
    invoice = _treat(
        _issued(admin, _swiss_customer()), rate="0.00", natura="N3.1", reference=EXPORT
    )
    root = _xml(invoice)
    _assert_agenzia_rules(root)
    customer = root.find(".//CessionarioCommittente")
    assert customer.findtext(".//IdPaese") == "CH"
    assert customer.findtext(".//Nazione") == "CH"
    assert {s.findtext("Natura") for s in root.iter("DatiRiepilogo")} == {"N3.1"}


def test_a_public_administration_gets_fpa12_with_split_payment(admin):
    invoice = _treat(_issued(admin, _public_administration()), rate="22.00", split_payment=True)
    root = _xml(invoice)
    _assert_agenzia_rules(root)
    assert root.get("versione") == "FPA12"
    assert _text(root, "FormatoTrasmissione") == "FPA12"
    assert _text(root, "CodiceDestinatario") == "UFA1B2"
    customer = root.find(".//CessionarioCommittente")
    assert customer.find(".//IdFiscaleIVA") is None
    assert customer.findtext(".//CodiceFiscale") == "83503670156"
    assert [s.findtext("EsigibilitaIVA") for s in root.iter("DatiRiepilogo")] == ["S"]
    # The customer pays the taxable amount; the VAT goes to the State.
    assert _text(root, "ImportoPagamento") == f"{invoice.taxable:.2f}"
    assert _text(root, "ImportoTotaleDocumento") == f"{invoice.total:.2f}"


def test_exempt_lines_over_the_threshold_carry_the_virtual_stamp_duty(admin):
    invoice = _treat(
        _issued(admin), rate="0.00", natura="N4", reference=EXEMPT, stamp_duty=Decimal("2.00")
    )
    root = _xml(invoice)
    _assert_agenzia_rules(root)
    assert _text(root, "BolloVirtuale") == "SI"
    assert _text(root, "ImportoBollo") == "2.00"


def test_a_credit_note_is_td04_with_positive_amounts_and_the_invoice_it_credits(admin):
    invoice = _issued(admin)
    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Wrong hours")
    root = _xml(note)
    _assert_agenzia_rules(root)
    assert _text(root, "TipoDocumento") == "TD04"
    assert _text(root, "Numero") == note.code
    assert _text(root, "Causale") == "Wrong hours"
    linked = root.find(".//DatiFattureCollegate")
    assert linked.findtext("IdDocumento") == invoice.code
    assert linked.findtext("Data") == invoice.issue_date.isoformat()
    assert _text(root, "ImportoTotaleDocumento") == f"{invoice.total:.2f}"
    assert root.find(".//DatiPagamento") is None


def test_a_reverse_charged_invoice_credited_keeps_its_nature(admin):
    invoice = _treat(
        _issued(admin, _eu_customer()), rate="0.00", natura="N2.1", reference=REVERSE_CHARGE
    )
    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Cancelled")
    root = _xml(note)
    _assert_agenzia_rules(root)
    assert {s.findtext("Natura") for s in root.iter("DatiRiepilogo")} == {"N2.1"}


def test_a_warranty_line_at_zero_is_a_full_discount_not_a_wrong_product(admin):
    invoice = _issued(admin)
    line = invoice.lines.filter(kind=LineKind.LABOUR).first()
    InvoiceLine.objects.filter(pk=line.pk).update(amount=0, note="warranty")
    root = _xml(invoice)
    _assert_agenzia_rules(root)
    (discounted,) = [
        d for d in root.iter("DettaglioLinee") if d.find("ScontoMaggiorazione") is not None
    ]
    assert discounted.findtext("PrezzoTotale") == "0.00"
    assert discounted.findtext("ScontoMaggiorazione/Percentuale") == "100.00"


def test_the_file_comes_from_the_frozen_invoice_not_the_live_records(admin):
    customer = make_customer()
    invoice = _issued(admin, customer)
    frozen_name, frozen_vat = invoice.customer_name, invoice.customer_vat_number
    Customer.objects.filter(pk=customer.pk).update(name="Renamed S.p.A.", city="Torino")
    from service_portal.models import CompanyProfile

    profile = CompanyProfile.objects.get()
    profile.legal_name = "Another Company S.r.l."
    profile.save()
    root = _xml(invoice)
    assert root.find(".//CessionarioCommittente").findtext(".//Denominazione") == frozen_name
    assert root.find(".//CessionarioCommittente").findtext(".//Comune") == "Milano"
    assert _text(root, "CedentePrestatore/DatiAnagrafici/Anagrafica/Denominazione") == (
        "Tecnoservice Lombarda S.r.l."
    )
    assert frozen_vat.endswith(root.find(".//CessionarioCommittente").findtext(".//IdCodice"))


def test_a_zero_rate_line_without_its_nature_is_refused_not_sent(admin):
    invoice = _treat(_issued(admin), rate="0.00")
    with pytest.raises(build.FatturaPAError, match="nature"):
        build.document(invoice)


def test_text_outside_latin_1_is_made_plain_and_cut_to_the_schema(admin):
    invoice = _issued(admin)
    text = ("Ölpumpe – 5 € “neu” ✓ " * 12)[:250]
    InvoiceLine.objects.filter(invoice=invoice).update(description=text)
    root = _xml(invoice)
    assert _text(root, "Descrizione").startswith('Ölpumpe - 5 EUR "neu" ? Ölpumpe')
    assert len(build.latin("ä" * 1200, 1000)) == 1000
    assert build.latin("Via\tRoma\n 1", 60) == "Via Roma 1"


def test_the_file_name_is_the_seller_vat_and_a_unique_five_character_progressive(admin):
    first, second = _issued(admin), _issued(admin)
    names = {build.filename(first), build.filename(second)}
    assert len(names) == 2
    for name in names:
        assert re.fullmatch(r"IT02839470156_[0-9A-Z]{5}\.xml", name)
    root = _xml(first)
    assert build.filename(first) == f"IT02839470156_{_text(root, 'ProgressivoInvio')}.xml"
    assert build.progressive(Invoice(pk=36**5 - 1)) == "ZZZZZ"


def test_an_invoice_issued_before_the_company_profile_has_no_file(admin):
    invoice = _issued(admin)
    Invoice.objects.filter(pk=invoice.pk).update(seller={})
    with pytest.raises(build.FatturaPAError, match="company profile"):
        build.document(Invoice.objects.get(pk=invoice.pk))


# --- The download of one file -------------------------------------------------------------------
def test_the_administrator_downloads_the_file_named_as_the_sdi_expects(admin, admin_client_):
    invoice = _issued(admin)
    response = admin_client_.get(reverse("invoicing:invoice_xml", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    name = build.filename(invoice)
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert schema.errors(response.content) == []
    detail = admin_client_.get(invoice.get_absolute_url())
    assert reverse("invoicing:invoice_xml", args=[invoice.pk]) in detail.content.decode()


def test_operators_and_technicians_are_refused_and_anonymous_users_sent_to_sign_in(
    admin, operator_client, technician_client, client
):
    url = reverse("invoicing:invoice_xml", args=[_issued(admin).pk])
    assert operator_client.get(url).status_code == 403
    assert technician_client.get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    zip_url = reverse("invoicing:export_fatturapa")
    assert operator_client.get(zip_url).status_code == 403
    assert client.get(zip_url).status_code == 302


def test_a_draft_has_no_file(admin, admin_client_):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=admin)
    assert admin_client_.get(reverse("invoicing:invoice_xml", args=[draft.pk])).status_code == 404
    assert admin_client_.get(reverse("invoicing:invoice_xml", args=[99999])).status_code == 404


def test_an_invoice_that_cannot_become_a_valid_file_goes_back_with_the_reason(admin, admin_client_):
    invoice = _treat(_issued(admin), rate="0.00")
    response = admin_client_.get(reverse("invoicing:invoice_xml", args=[invoice.pk]), follow=True)
    assert response.redirect_chain[-1][0] == invoice.get_absolute_url()
    assert "without its nature" in response.content.decode()


def test_the_file_costs_a_fixed_number_of_queries(admin, admin_client_, django_assert_num_queries):
    small = _issued(admin)
    large = _issued(admin, make_customer())
    for _ in range(3):
        services_call = make_verified_call(unit=make_unit(site=make_site(large.customer)))
        draft = services.create_draft(calls=[services_call], acting_user=admin)
        large = services.issue(invoice=draft, acting_user=admin)
    note = credits.issue_credit_note(invoice=small, acting_user=admin, reason="Wrong")
    admin_client_.get(reverse("invoicing:invoice_xml", args=[small.pk]))  # session warmed
    # session, user, the invoice with the one it credits, its lines (and a credit note: the
    # credited invoice's lines), whatever the number of lines
    for invoice, queries in ((small, 4), (large, 4), (note, 5)):
        with django_assert_num_queries(queries):
            response = admin_client_.get(reverse("invoicing:invoice_xml", args=[invoice.pk]))
        assert response.status_code == 200


# --- The zip of a period ------------------------------------------------------------------------
def _zip_names(response) -> list[str]:
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        for name in names:
            assert schema.errors(archive.read(name)) == []
    return names


def test_the_zip_holds_the_period_s_issued_invoices_and_credit_notes(admin, admin_client_):
    invoice = _issued(admin)
    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Wrong")
    older = _issued(admin)
    Invoice.objects.filter(pk=older.pk).update(issue_date="2020-01-15")
    services.create_draft(calls=[make_verified_call()], acting_user=admin)  # a draft: no file
    day = invoice.issue_date.isoformat()
    response = admin_client_.get(
        reverse("invoicing:export_fatturapa"), {"date_from": day, "date_to": day}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="fatturapa_{day}_{day}.zip"'
    assert sorted(_zip_names(response)) == sorted([build.filename(invoice), build.filename(note)])
    everything = admin_client_.get(reverse("invoicing:export_fatturapa"))
    assert len(_zip_names(everything)) == 3
    page = admin_client_.get(reverse("invoicing:invoice_list"), {"date_from": day})
    assert f"{reverse('invoicing:export_fatturapa')}?date_from={day}" in page.content.decode()


def test_an_empty_period_or_a_bad_date_goes_back_to_the_list_with_a_message(admin, admin_client_):
    _issued(admin)
    url = reverse("invoicing:export_fatturapa")
    response = admin_client_.get(url, {"date_from": "2001-01-01", "date_to": "2001-12-31"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("invoicing:invoice_list"))
    page = admin_client_.get(response["Location"]).content.decode()
    assert "No issued invoice or credit note matches these filters." in page
    response = admin_client_.get(url, {"date_from": "31/02/2026"}, follow=True)
    assert "Check the filters" in response.content.decode()


def test_the_zip_costs_the_same_queries_for_two_invoices_or_five(
    admin, admin_client_, django_assert_num_queries
):
    first = _issued(admin)
    credits.issue_credit_note(invoice=first, acting_user=admin, reason="Wrong")
    url = reverse("invoicing:export_fatturapa")
    admin_client_.get(url)  # session warmed
    # session, user, the bounded count, the invoices, their lines, the credited invoices' lines
    with django_assert_num_queries(6):
        assert len(_zip_names(admin_client_.get(url))) == 2
    for _ in range(3):
        _issued(admin)
    with django_assert_num_queries(6):
        assert len(_zip_names(admin_client_.get(url))) == 5


# --- The command --------------------------------------------------------------------------------
def test_the_command_writes_every_file_and_prints_one_line_each(admin, tmp_path, capsys):
    invoice = _issued(admin)
    note = credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Wrong")
    other = _issued(admin)
    call_command("export_fatturapa", "--output", str(tmp_path / "out"))
    printed = capsys.readouterr().out.splitlines()
    expected = {build.filename(i) for i in (invoice, note, other)}
    assert {p.rsplit("/", 1)[-1] for p in printed} == expected
    assert {p.name for p in (tmp_path / "out").iterdir()} == expected
    for path in (tmp_path / "out").iterdir():
        assert schema.errors(path.read_bytes()) == []


def test_the_command_exports_a_year_or_one_invoice(admin, tmp_path, capsys):
    invoice = _issued(admin)
    _issued(admin)
    call_command("export_fatturapa", "--year", "1999", "--output", str(tmp_path / "none"))
    assert capsys.readouterr().out == ""
    call_command(
        "export_fatturapa",
        "--year",
        str(invoice.year),
        "--number",
        str(invoice.number),
        "--output",
        str(tmp_path / "one"),
    )
    (line,) = capsys.readouterr().out.splitlines()
    assert line == str(tmp_path / "one" / build.filename(invoice))
    call_command("export_fatturapa", "--number", invoice.code, "--output", str(tmp_path / "c"))
    assert len(capsys.readouterr().out.splitlines()) == 1
    with pytest.raises(CommandError, match="No issued invoice"):
        call_command("export_fatturapa", "--number", "9999", "--output", str(tmp_path))


def test_every_invoice_the_demo_data_issues_has_a_valid_file(tmp_path, capsys):
    call_command("seed_demo", "--no-logins", stdout=io.StringIO())
    issued = list(Invoice.objects.filter(state="issued"))
    assert issued
    call_command("export_fatturapa", "--output", str(tmp_path))
    assert len(capsys.readouterr().out.splitlines()) == len(issued)
    for invoice in issued:
        root = etree.fromstring((tmp_path / build.filename(invoice)).read_bytes())
        _assert_agenzia_rules(root)
        expected = "FPA12" if invoice.customer_is_public_administration else "FPR12"
        assert root.get("versione") == expected
