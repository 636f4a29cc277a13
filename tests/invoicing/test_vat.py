"""The VAT treatment of each line, chosen by the customer and the line's kind (invoicing.vat).

Every case bills the same intervention (tests.invoicing.factories.make_done_intervention), worked
out by hand: services 411.00 (labour 4 h x 55.00 = 220.00, travel 1 h x 40.00 = 40.00, call-out
80.00, 100 km at cost 55.50, a meal 15.50) and goods 24.70 (two valves at 12.35, at 10 %).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from customers.fiscal import VatRegime
from invoicing import credits, services, vat
from invoicing.documents import invoice_pdf
from invoicing.models import InvoiceLine, LineKind
from orders.models import VatRate
from orders.vat_codes import STANDARD
from quotes.models import RateKind
from tests.factories import make_customer, make_site, make_unit
from tests.invoicing.factories import make_done_intervention

pytestmark = pytest.mark.django_db

D = Decimal
SERVICES = D("398.00")  # labour, travel, call-out, km (the meal is not billed)
GOODS = D("24.70")


def _customer(case: str):
    if case == "italian":
        return make_customer()
    if case == "pa":
        return make_customer(
            is_public_administration=True, fiscal_code="80002460162", sdi_code="UF7QXK"
        )
    if case == "eu":
        return make_customer(
            country="DE", vat_regime=VatRegime.EU_BUSINESS, vat_number="DE136695976", language="it"
        )
    return make_customer(
        country="CH", vat_regime=VatRegime.NON_EU, vat_number="CHE-116.281.710", language="it"
    )


def _issued(admin, case: str, **kwargs):
    """Verified (its figures recorded) then issued, as the administrator does."""
    customer = _customer(case)
    intervention = make_done_intervention(unit=make_unit(site=make_site(customer)), **kwargs)
    services.verify(intervention=intervention, acting_user=admin)
    draft = services.create_draft(calls=[intervention.call], acting_user=admin)
    return services.issue(invoice=draft, acting_user=admin)


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def _treatments(invoice):
    return {(line.kind, line.vat_rate, line.vat_natura) for line in invoice.lines.all()}


def test_an_italian_company_pays_vat_at_each_lines_rate(administrator):
    invoice = _issued(administrator, "italian")
    assert _treatments(invoice) == {
        *(
            (kind, D("22.00"), "")
            for kind in (
                LineKind.LABOUR,
                LineKind.TRAVEL,
                LineKind.CALL_OUT,
                LineKind.KM,
            )
        ),
        (LineKind.PARTS, D("10.00"), ""),
    }
    # (the meal is reimbursed to the technician, not billed: EXPENSE_RULES)
    # 398.00 x 22 % = 87.56; 24.70 x 10 % = 2.47
    assert (invoice.taxable, invoice.vat, invoice.total) == (D("422.70"), D("90.03"), D("512.73"))
    assert not invoice.split_payment and invoice.stamp_duty == 0
    assert invoice.amount_due == D("512.73")
    assert not invoice.lines.exclude(vat_reference="").exists()


def test_an_eu_business_is_billed_without_vat_with_natura_and_references(administrator):
    invoice = _issued(administrator, "eu")
    lines = list(invoice.lines.all())
    services_lines = [line for line in lines if line.kind not in (LineKind.PARTS,)]
    parts = [line for line in lines if line.kind == LineKind.PARTS]
    stamp = [line for line in services_lines if line.vat_natura == "N1"]
    services_lines = [line for line in services_lines if line.vat_natura != "N1"]
    assert {(line.vat_rate, line.vat_natura) for line in services_lines} == {(D("0.00"), "N2.1")}
    assert all("art. 7-ter DPR 633/72" in line.vat_reference for line in services_lines)
    assert all("inversione contabile" in line.vat_reference for line in services_lines)
    assert [(line.vat_natura, line.amount) for line in parts] == [("N3.2", GOODS)]
    assert "art. 41 DL 331/1993" in parts[0].vat_reference
    # Services not subject to VAT above 77.47: the €2 stamp duty, its own line (N1, art. 15).
    assert [(line.amount, line.vat_rate) for line in stamp] == [(D("2.00"), D("0.00"))]
    assert "art. 15 DPR 633/72" in stamp[0].vat_reference
    assert invoice.stamp_duty == D("2.00")
    assert (invoice.taxable, invoice.vat, invoice.total) == (D("424.70"), D("0.00"), D("424.70"))
    summary = {(row.natura, row.taxable, row.vat) for row in vat.summary(lines)}
    assert summary == {("N1", D("2.00"), 0), ("N2.1", SERVICES, 0), ("N3.2", GOODS, 0)}


def test_a_business_outside_the_eu_gets_art_7_ter_for_services_and_art_8_for_goods(
    administrator,
):
    invoice = _issued(administrator, "non_eu")
    by_kind = {line.kind: line for line in invoice.lines.exclude(vat_natura="N1")}
    assert by_kind[LineKind.LABOUR].vat_natura == "N2.1"
    assert by_kind[LineKind.LABOUR].vat_reference == (
        "Operazione non soggetta a IVA ai sensi dell'art. 7-ter DPR 633/72"
    )
    assert by_kind[LineKind.PARTS].vat_natura == "N3.1"
    assert "art. 8" in by_kind[LineKind.PARTS].vat_reference
    assert invoice.vat == 0 and invoice.stamp_duty == D("2.00")
    assert invoice.total == D("424.70")


def test_a_public_administration_is_under_split_payment(administrator):
    invoice = _issued(administrator, "pa")
    assert invoice.split_payment
    assert (invoice.taxable, invoice.vat, invoice.total) == (D("422.70"), D("90.03"), D("512.73"))
    assert invoice.amount_due == D("422.70")  # the PA pays the VAT to the State
    text = _text(invoice_pdf(invoice))
    assert "Scissione dei pagamenti (art. 17-ter DPR 633/72)" in text
    assert "Importo da pagare 422,70" in text
    assert "-90,03" in text


def test_the_pdf_prints_each_reference_and_the_stamp_duty(administrator):
    invoice = _issued(administrator, "eu")
    text = _text(invoice_pdf(invoice))
    assert "0 N2.1" in text and "0 N3.2" in text  # per line: rate and Natura
    assert "N2.1: Operazione non soggetta a IVA ai sensi dell'art. 7-ter DPR 633/72" in text
    assert (
        "N3.2: Cessione intracomunitaria non imponibile ai sensi dell'art. 41 DL 331/1993" in text
    )
    assert "Imposta di bollo di 2,00 € assolta in modo virtuale" in text or (
        "Imposta di bollo di" in text and "assolta in modo virtuale" in text
    )
    assert "Scissione" not in text
    assert text.count("Totale") == 1


@pytest.mark.parametrize(("call_out", "stamp"), [("77.47", "0.00"), ("77.48", "2.00")])
def test_the_stamp_duty_is_due_above_77_47_only(administrator, call_out, stamp):
    # Services: the call-out alone (the meal is not billed); the parts (N3.2, intra-EU supply)
    # do not count: the law exempts their invoices from the duty.
    invoice = _issued(
        administrator,
        "eu",
        quote_lines=[(RateKind.CALL_OUT, "1", call_out)],
        labour="",
        travel="",
        km=None,
    )
    assert invoice.stamp_duty == D(stamp)
    assert invoice.lines.filter(vat_natura="N1").exists() == (stamp != "0.00")


@pytest.mark.parametrize(
    ("natura", "amount", "due"),
    [
        ("N2.1", "77.47", "0.00"),
        ("N2.1", "77.48", "2.00"),
        ("N4", "100.00", "2.00"),
        ("N3.1", "1000.00", "0.00"),  # exports of goods: art. 15 of Table B DPR 642/72
        ("N3.2", "1000.00", "0.00"),  # intra-EU supplies: art. 66 DL 331/1993
        ("N6.9", "1000.00", "0.00"),  # reverse charge: the operation is subject to VAT
        ("", "1000.00", "0.00"),  # taxed
    ],
)
def test_the_stamp_duty_rule(natura, amount, due):
    line = SimpleNamespace(amount=D(amount), vat_natura=natura)
    assert vat.stamp_duty([line]) == D(due)


def test_verification_shows_the_vat_code_of_each_line(administrator, client):
    customer = _customer("eu")
    intervention = make_done_intervention(unit=make_unit(site=make_site(customer)))
    client.force_login(administrator)
    page = client.get(reverse("invoicing:verification_detail", args=[intervention.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="vat-code"') == 5
    assert "N2.1-UE" in html and "N3.2" in html
    assert 'data-testid="vat-summary-natura"' in html


def test_the_draft_shows_the_stamp_duty_and_split_payment_before_issuing(administrator, client):
    intervention = make_done_intervention(unit=make_unit(site=make_site(_customer("pa"))))
    services.verify(intervention=intervention, acting_user=administrator)
    draft = services.create_draft(calls=[intervention.call], acting_user=administrator)
    client.force_login(administrator)
    html = client.get(reverse("invoicing:invoice_detail", args=[draft.pk])).content.decode()
    assert 'data-testid="split-payment"' in html


def test_a_credit_note_keeps_the_vat_treatment(administrator):
    invoice = _issued(administrator, "eu")
    note = credits.issue_credit_note(invoice=invoice, acting_user=administrator, reason="x")
    pairs = sorted((line.vat_natura, line.vat_reference) for line in note.lines.all())
    assert pairs == sorted((line.vat_natura, line.vat_reference) for line in invoice.lines.all())
    assert note.total == -invoice.total and note.stamp_duty == invoice.stamp_duty


def test_an_edited_reference_in_the_admin_is_what_the_next_invoice_prints(administrator):
    code = VatRate.objects.get(code="N3.2")
    code.legal_reference_it = "Cessione intracomunitaria, art. 41 DL 331/93 (testo dell'ufficio)"
    code.save()
    invoice = _issued(administrator, "eu")
    part = invoice.lines.get(kind=LineKind.PARTS)
    assert part.vat_reference == "Cessione intracomunitaria, art. 41 DL 331/93 (testo dell'ufficio)"
    # Issued invoices are frozen: a later edit does not change them.
    code.legal_reference_it = "changed"
    code.save()
    assert InvoiceLine.objects.get(pk=part.pk).vat_reference.startswith("Cessione")


def test_a_deleted_standard_code_falls_back_to_the_standard_list(administrator):
    VatRate.objects.filter(code="N2.1-UE").delete()
    invoice = _issued(administrator, "eu")
    labour = invoice.lines.get(kind=LineKind.LABOUR)
    assert (labour.vat_natura, labour.vat_rate) == ("N2.1", D("0.00"))
    assert "7-ter" in labour.vat_reference


def test_the_data_migration_made_the_standard_codes_with_nature_and_references():
    codes = {c.code: c for c in VatRate.objects.all()}
    for item in STANDARD:
        assert codes[item.code].natura == item.natura
        assert codes[item.code].rate == D(item.rate)
    assert codes["N3.1"].legal_reference_de.startswith("Steuerfrei")


def test_the_admin_refuses_a_zero_rate_code_without_its_nature(admin_client):
    page = admin_client.post(
        reverse("admin:orders_vatrate_add"),
        {
            "code": "ZERO",
            "rate": "0",
            "natura": "",
            "name_it": "Zero",
            "position": 1,
            "is_active": "on",
        },
    )
    assert page.status_code == 200
    assert not VatRate.objects.filter(code="ZERO").exists()
    assert admin_client.get(reverse("admin:orders_vatrate_changelist")).status_code == 200


def test_no_vat_rate_is_written_in_the_billing_code():
    """The rates come from the VAT codes and the DEFAULT_VAT_RATE setting, never a literal."""
    root = Path(settings.BASE_DIR)
    files = [
        root / "invoicing" / "billing.py",
        root / "invoicing" / "vat.py",
        root / "service_portal" / "money.py",
        *(p for p in (root / "quotes").glob("*.py")),
    ]
    literal = re.compile(r"""(?<![\w.])["']?22(\.0+)?["']?(?![\w.%/-])""")
    found = [
        f"{path.name}:{number}: {text.strip()}"
        for path in files
        for number, text in enumerate(path.read_text().splitlines(), start=1)
        if literal.search(text.split("#")[0]) and "DPR" not in text
    ]
    assert not found, found
