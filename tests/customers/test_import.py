"""Imports and exports of the installed base: files, dry runs, rejected rows, the page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from customers.importing import ImportFileError, import_sheets, read_file
from customers.models import Contact, Customer, Site, Unit
from tests.downloads import csv_rows
from tests.factories import make_customer, make_product, make_site, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # previews wait here between upload and confirm


CUSTOMERS_CSV = (
    "external_code,name,vat_number,phone,city,country,is_active\n"
    "C1,Acme S.r.l.,00743110157,02 1234567,Milano,IT,yes\n"
    "C2,Beta S.p.A.,,,Torino,IT,\n"
)


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _run(name: str, content: bytes | str, *, dry_run: bool = False, kind: str | None = None):
    data = content.encode() if isinstance(content, str) else content
    return import_sheets(read_file(name, data, kind=kind), dry_run=dry_run)


def test_a_good_csv_creates_and_normalises():
    report = _run("customers.csv", CUSTOMERS_CSV)
    assert report.applied and report.summary()["created"] == 2
    acme = Customer.objects.get(external_code="C1")
    assert (acme.vat_number, acme.phone) == ("IT00743110157", "+39 02 123 4567")


def test_reimporting_the_same_file_changes_nothing():
    _run("customers.csv", CUSTOMERS_CSV)
    stamps = dict(Customer.objects.values_list("external_code", "updated_at"))
    report = _run("customers.csv", CUSTOMERS_CSV)
    assert report.summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert dict(Customer.objects.values_list("external_code", "updated_at")) == stamps


def test_dry_run_changes_nothing_but_counts_everything():
    make_customer(external_code="C2", name="Old name", city="Torino")
    report = _run("customers.csv", CUSTOMERS_CSV, dry_run=True)
    assert not report.applied
    assert report.summary() == {"created": 1, "updated": 1, "unchanged": 0, "rejected": 0}
    assert not Customer.objects.filter(external_code="C1").exists()
    assert Customer.objects.get(external_code="C2").name == "Old name"


def test_bad_rows_are_rejected_with_reasons_and_nothing_is_saved():
    content = CUSTOMERS_CSV + "C3,Typo,IT12345678901,12,Roma,IT,maybe\n,No code,,,,IT,\n"
    report = _run("customers.csv", content)
    assert not report.applied
    assert Customer.objects.count() == 0
    rejected = {row.line: " ".join(row.errors) for row in report.rejected}
    assert set(rejected) == {4, 5}
    assert "is not a valid VAT number" in rejected[4]
    assert "is not a valid phone number" in rejected[4]
    assert "is not yes or no" in rejected[4]
    assert "external code is required" in rejected[5]


def test_wrong_columns_refuse_the_whole_file():
    with pytest.raises(ImportFileError, match="unknown columns: colour"):
        read_file("c.csv", b"external_code,name,colour\nC1,A,red\n")
    with pytest.raises(ImportFileError, match="do not match any kind"):
        read_file("c.csv", b"code;description\nX;Y\n")
    with pytest.raises(ImportFileError, match="missing columns: product_code, serial_number"):
        read_file("u.csv", b"external_code,site_code\nU1,S1\n", kind="units")
    with pytest.raises(ImportFileError, match="Unknown sheets: Foglio1"):
        read_file("b.xlsx", _workbook({"Foglio1": [["a"]]}))
    with pytest.raises(ImportFileError):
        read_file("b.xlsx", b"not a zip")
    with pytest.raises(ImportFileError):
        read_file("b.txt", b"x")


def test_a_workbook_links_new_sites_and_units_to_new_customers():
    make_product(code="PX-200")
    content = _workbook(
        {
            "units": [
                ["external_code", "site_code", "product_code", "serial_number", "warranty_end"],
                ["U1", "S1", "PX-200", "M-001", "31/12/2027"],
            ],
            "customers": [["external_code", "name"], ["C1", "Acme"]],
            "sites": [
                ["external_code", "customer_code", "name", "city"],
                ["S1", "C1", "Plant", "Brescia"],
            ],
            "contacts": [
                ["external_code", "customer_code", "site_code", "name", "phone"],
                ["P1", "C1", "S1", "Mario Rossi", "030 123456"],
            ],
        }
    )
    report = _run("base.xlsx", content)
    assert report.applied, [r.errors for r in report.rejected]
    unit = Unit.objects.get(external_code="U1")
    assert unit.site.customer.external_code == "C1"
    assert str(unit.warranty_end) == "2027-12-31"
    assert Contact.objects.get().site == Site.objects.get()


def test_duplicate_serial_and_unknown_references_are_rejected():
    product = make_product(code="PX")
    existing = make_unit(make_site(external_code="S1"), product, serial_number="DUP")
    content = (
        "external_code,site_code,product_code,serial_number\n"
        f"U1,S1,PX,{existing.serial_number}\n"
        "U2,NOPE,PX,OK-1\n"
    )
    report = _run("units.csv", content)
    errors = [" ".join(r.errors) for r in report.rejected]
    assert "already exists for this product" in errors[0]
    assert "NOPE" in errors[1]


def test_export_then_import_is_a_round_trip(admin_client_):
    customer = make_customer(external_code="C1", vat_number="IT00743110157")
    make_unit(make_site(customer, external_code="S1"), make_product(code="P1"), external_code="U1")
    response = admin_client_.get(reverse("customers:export_xlsx"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert load_workbook(io.BytesIO(content)).sheetnames == [
        "customers",
        "sites",
        "contacts",
        "units",
    ]
    report = _run("back.xlsx", content)
    assert report.summary()["created"] == 0 and not report.rejected
    csv_response = admin_client_.get(reverse("customers:export_csv", args=["units"]))
    rows = csv_rows(csv_response)
    assert rows[0][:4] == ["external_code", "site_code", "product_code", "serial_number"]
    assert rows[1][:3] == ["U1", "S1", "P1"]


def test_the_page_previews_then_applies(admin_client_):
    url = reverse("customers:import")
    upload = SimpleUploadedFile("customers.csv", CUSTOMERS_CSV.encode(), "text/csv")
    preview = admin_client_.post(url, {"file": upload, "kind": ""})
    assert preview.status_code == 200
    assert Customer.objects.count() == 0
    key = preview.context["key"]
    assert key and preview.context["report"].summary()["created"] == 2
    applied = admin_client_.post(reverse("customers:import_apply"), {"key": key}, follow=True)
    assert applied.status_code == 200
    assert Customer.objects.count() == 2
    # The same key cannot be applied twice.
    admin_client_.post(reverse("customers:import_apply"), {"key": key})
    assert Customer.objects.count() == 2


def test_the_page_shows_rejected_rows_and_offers_no_confirmation(admin_client_):
    upload = SimpleUploadedFile("c.csv", b"external_code,name,vat_number\nC1,A,IT1\n", "text/csv")
    response = admin_client_.post(reverse("customers:import"), {"file": upload})
    assert response.status_code == 200
    assert "rejected-rows" in response.content.decode()
    assert not response.context["key"]
    wrong = SimpleUploadedFile("c.csv", b"foo,bar\n1,2\n", "text/csv")
    response = admin_client_.post(reverse("customers:import"), {"file": wrong})
    assert "do not match any kind" in response.content.decode()


def test_command_dry_run_and_apply(tmp_path, capsys):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS_CSV)
    call_command("import_installed_base", str(path), "--dry-run")
    assert "Nothing saved: 2 created" in capsys.readouterr().out
    assert Customer.objects.count() == 0
    call_command("import_installed_base", str(path))
    assert Customer.objects.count() == 2
    path.write_text("external_code,name,vat_number\nC9,X,IT1\n")
    with pytest.raises(CommandError, match="Rejected rows"):
        call_command("import_installed_base", str(path))


def test_export_query_count_does_not_grow_with_rows(admin_client_):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for kind in ("customers", "sites", "contacts", "units"):
                url = reverse("customers:export_csv", args=[kind])
                b"".join(admin_client_.get(url).streaming_content)
        return len(ctx.captured_queries)

    product = make_product()
    make_unit(make_site(), product)
    few = count()
    for _ in range(10):
        make_unit(make_site(), product)
    assert count() == few


FISCAL_CSV = (
    "external_code,name,fiscal_code,city,country,vat_regime,sdi_code,pec,is_public_administration\n"
    "PA1,Comune di Brescia,00761890177,Brescia,IT,italian,uf1a2b,protocollo@pec.example.it,yes\n"
    "DE1,Muster GmbH,,Berlin,DE,EU_Business,XXXXXXX,,no\n"
)


def test_the_customers_fiscal_data_is_imported():
    report = _run("customers.csv", FISCAL_CSV)
    assert report.applied, [row.errors for row in report.rejected]
    town = Customer.objects.get(external_code="PA1")
    assert (town.sdi_code, town.pec, town.is_public_administration, town.vat_regime) == (
        "UF1A2B",
        "protocollo@pec.example.it",
        True,
        "italian",
    )
    german = Customer.objects.get(external_code="DE1")
    assert (german.vat_regime, german.sdi_code, german.is_public_administration) == (
        "eu_business",
        "XXXXXXX",
        False,
    )


def test_bad_fiscal_data_is_rejected_with_reasons():
    header = FISCAL_CSV.splitlines()[0]
    content = (
        header + "\n"
        "B1,Regime,,Roma,IT,martian,,,\n"
        "B2,Sdi,,Roma,IT,italian,AB,,\n"
        "B3,Abroad,,Roma,IT,italian,XXXXXXX,,\n"
        "B4,Pec,,Roma,IT,italian,,not-an-address,\n"
        "B5,Pa,,Berlin,DE,eu_business,,,yes\n"
        "B6,Flag,,Roma,IT,italian,,,perhaps\n"
        "B7,Eu,,Roma,IT,eu_business,,,\n"
    )
    report = _run("customers.csv", content)
    assert not report.applied
    assert Customer.objects.count() == 0
    rejected = {row.external_code: " ".join(row.errors) for row in report.rejected}
    assert "vat_regime:" in rejected["B1"] and "not a valid choice" in rejected["B1"]
    assert "sdi_code:" in rejected["B2"] and "7 letters or digits" in rejected["B2"]
    assert "customers abroad" in rejected["B3"]
    assert "pec:" in rejected["B4"]
    assert "Only an Italian customer can be a public administration" in rejected["B5"]
    assert "is not yes or no" in rejected["B6"]
    assert "EU country other than Italy" in rejected["B7"]


def test_the_export_carries_the_fiscal_data_and_reimports_unchanged(admin_client_):
    make_customer(
        external_code="PA1",
        fiscal_code="00761890177",
        vat_number="",
        sdi_code="UF1A2B",
        pec="protocollo@pec.example.it",
        is_public_administration=True,
    )
    rows = csv_rows(admin_client_.get(reverse("customers:export_csv", args=["customers"])))
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert exported["vat_regime"] == "italian"
    assert exported["sdi_code"] == "UF1A2B"
    assert exported["pec"] == "protocollo@pec.example.it"
    assert exported["is_public_administration"] == "yes"
    content = "\n".join(",".join(row) for row in rows) + "\n"
    assert _run("back.csv", content).summary()["unchanged"] == 1
