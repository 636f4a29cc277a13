"""The ERP import: good files, bad rows, wrong columns, re-import, CSV, XLSX, admin."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from accounts.models import User
from orders.importing import ImportFileError, import_spare_parts
from orders.models import SparePart
from tests.factories import make_product, make_user
from tests.orders.factories import make_vat

pytestmark = pytest.mark.django_db

GOOD = (
    "code;description_it;description_en;unit_of_measure;list_price;vat_rate;stock_quantity;products\n"
    "FLT-1;Filtro olio;Oil filter;pz;38,50;22;12;CMP-300\n"
    "SEP-1;Separatore;Separator;pz;129.00;22;0;CMP-300;\n"
)


@pytest.fixture
def catalogue_setup():
    make_vat("22", "22")
    make_vat("N3", "0")
    make_product(code="CMP-300")


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def test_a_good_csv_file_creates_the_parts(catalogue_setup):
    report = import_spare_parts(_csv(GOOD), "erp.csv")
    assert report.created == ["FLT-1", "SEP-1"] and not report.rejected
    part = SparePart.objects.get(code="FLT-1")
    assert part.list_price == Decimal("38.50")
    assert part.stock_quantity == 12
    assert part.vat_rate.code == "22"
    assert [p.code for p in part.products.all()] == ["CMP-300"]
    with translation.override("en"):
        assert part.description == "Oil filter"
    with translation.override("it"):
        assert part.description == "Filtro olio"


def test_re_import_updates_existing_codes_and_never_deletes(catalogue_setup):
    import_spare_parts(_csv(GOOD), "erp.csv")
    second = (
        "code;description_it;list_price;vat_rate\nFLT-1;Filtro olio nuovo;40;N3\nNEW-9;Nuovo;1;22\n"
    )
    report = import_spare_parts(_csv(second), "erp.csv")
    assert report.updated == ["FLT-1"] and report.created == ["NEW-9"]
    part = SparePart.objects.get(code="FLT-1")
    assert (part.list_price, part.vat_rate.code, part.description_it) == (
        Decimal("40.00"),
        "N3",
        "Filtro olio nuovo",
    )
    assert part.description_en == "Oil filter"  # absent column: value kept
    assert part.products.count() == 1
    assert SparePart.objects.filter(code="SEP-1").exists()  # not in the file, not deleted


def test_re_importing_the_same_file_changes_nothing(catalogue_setup):
    import_spare_parts(_csv(GOOD), "erp.csv")
    stamps = dict(SparePart.objects.values_list("code", "updated_at"))
    report = import_spare_parts(_csv(GOOD), "erp.csv")
    assert (report.created, report.updated, report.unchanged) == ([], [], ["FLT-1", "SEP-1"])
    assert dict(SparePart.objects.values_list("code", "updated_at")) == stamps
    other = make_product(code="CMP-550")
    report = import_spare_parts(
        _csv(
            'code;description_it;list_price;products\nFLT-1;Filtro olio;38.50;"CMP-300;CMP-550"\n'
        ),
        "erp.csv",
    )
    assert report.updated == ["FLT-1"]
    part = SparePart.objects.get(code="FLT-1")
    assert set(part.products.all()) == {other, *SparePart.objects.get(code="SEP-1").products.all()}
    assert part.updated_at > stamps["FLT-1"]


def test_bad_rows_are_rejected_with_the_reason_and_the_rest_imported(catalogue_setup):
    text = (
        "code,description_it,list_price,vat_rate,products,active\n"
        "OK-1,Buono,10,22,,1\n"
        ",Senza codice,10,22,,1\n"
        "BAD-PRICE,Prezzo,dieci,22,,1\n"
        "NEG,Negativo,-3,22,,1\n"
        "BAD-VAT,Iva,10,99,,1\n"
        "BAD-PROD,Prodotto,10,22,XXX-1,1\n"
        "BAD-ACT,Attivo,10,22,,forse\n"
        "OK-1,Doppio,10,22,,1\n"
    )
    report = import_spare_parts(_csv(text), "erp.csv")
    assert report.created == ["OK-1"]
    reasons = {row: reason for row, _code, reason in report.rejected}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9}
    assert "empty" in reasons[3]
    assert "not a number" in reasons[4]
    assert "negative" in reasons[5]
    assert "unknown VAT rate 99" in reasons[6]
    assert "XXX-1" in reasons[7]
    assert "twice" in reasons[9]
    assert SparePart.objects.count() == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("codice;descrizione;prezzo\nA;B;1\n", "Missing columns"),
        ("code;description_it\nA;B\n", "list_price"),
        ("code;description_it;list_price;colour\nA;B;1;red\n", "Unknown columns: colour"),
        ("", "empty"),
    ],
)
def test_wrong_columns_reject_the_whole_file(catalogue_setup, text, message):
    with pytest.raises(ImportFileError, match=message):
        import_spare_parts(_csv(text), "erp.csv")
    assert not SparePart.objects.exists()


def test_an_unexpected_error_rolls_back_the_whole_file(catalogue_setup, monkeypatch):
    from orders import importing

    original = importing._write

    def write_then_fail(*args, **kwargs):
        original(*args, **kwargs)  # the parts and their product links are written...
        assert SparePart.objects.count() == 2
        raise RuntimeError("database went away")  # ...then something breaks

    monkeypatch.setattr(importing, "_write", write_then_fail)
    with pytest.raises(RuntimeError):
        import_spare_parts(_csv(GOOD), "erp.csv")
    assert not SparePart.objects.exists()


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_xlsx_file_with_numbers_in_cells(catalogue_setup):
    data = _xlsx([["Code", "Description_IT", "List_Price", "VAT_Rate"], ["X-1", "Pezzo", 12.5, 22]])
    report = import_spare_parts(data, "erp.xlsx")
    assert report.created == ["X-1"]
    assert SparePart.objects.get(code="X-1").list_price == Decimal("12.50")


def test_a_broken_xlsx_or_other_type_is_refused(catalogue_setup):
    with pytest.raises(ImportFileError, match="Excel"):
        import_spare_parts(io.BytesIO(b"not a zip"), "erp.xlsx")
    with pytest.raises(ImportFileError, match="Unsupported"):
        import_spare_parts(io.BytesIO(b"x"), "erp.pdf")


def test_the_management_command_reports(catalogue_setup, tmp_path):
    path = tmp_path / "erp.csv"
    path.write_text(GOOD + "BAD;x;zz;22;;\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_spare_parts", str(path), stdout=out, stderr=err)
    assert "2 created, 0 updated, 0 unchanged, 1 rejected" in out.getvalue()
    assert "row 4 (BAD)" in err.getvalue()
    (tmp_path / "wrong.csv").write_text("a;b\n1;2\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_spare_parts", str(tmp_path / "wrong.csv"))


def test_the_same_import_from_the_django_admin(catalogue_setup, client):
    admin = make_user("root", "administrator", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:orders_sparepart_import")
    assert client.get(url).status_code == 200
    upload = io.BytesIO(GOOD.encode())
    upload.name = "erp.csv"
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in response.content.decode()
    assert SparePart.objects.count() == 2
    assert (
        "Import from file"
        in client.get(reverse("admin:orders_sparepart_changelist")).content.decode()
    )


def test_the_admin_import_needs_permission(catalogue_setup, client):
    # Staff without the spare parts' permissions (operators have them: accounts/operators.py).
    clerk = make_user("clerk", "technician", is_staff=True)
    User.objects.filter(pk=clerk.pk).update(is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:orders_sparepart_import")).status_code == 403


def test_an_operator_may_import_the_catalogue_in_the_admin(catalogue_setup, client, operator):
    client.force_login(operator)
    assert client.get(reverse("admin:orders_sparepart_import")).status_code == 200


def test_the_admin_import_refuses_a_file_over_the_size_limit(catalogue_setup, client, monkeypatch):
    monkeypatch.setattr("orders.forms.MAX_IMPORT_BYTES", len(GOOD) - 1)
    admin = make_user("root", "administrator", is_staff=True, is_superuser=True)
    client.force_login(admin)
    upload = io.BytesIO(GOOD.encode())
    upload.name = "erp.csv"
    response = client.post(reverse("admin:orders_sparepart_import"), {"file": upload})
    assert response.status_code == 200
    assert "The file is larger than 10 MB." in response.content.decode()
    assert SparePart.objects.count() == 0
