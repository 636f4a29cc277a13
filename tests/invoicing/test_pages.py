"""The pages: menu, verification and invoicing journeys, exports, fixed query counts."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Intervention, State
from invoicing import documents, selectors, services
from invoicing.models import Correction, Invoice, InvoiceState
from tests.calls.factories import make_call
from tests.downloads import body, workbook
from tests.factories import make_unit
from tests.invoicing.factories import make_done_intervention, make_verified_call

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_menu_shows_invoicing_to_administrators_only(
    admin_client_, operator_client, technician_client
):
    url = reverse("invoicing:verification_list")
    assert url in admin_client_.get(reverse("customers:customer_list")).content.decode()
    for client in (operator_client, technician_client):
        assert url not in client.get(reverse("customers:customer_list")).content.decode()


def test_verification_page_highlights_differences_and_records_a_correction(
    admin_client_, administrator
):
    intervention = make_done_intervention()
    url = reverse("invoicing:verification_detail", args=[intervention.pk])
    page = admin_client_.get(url).content.decode()
    assert 'data-testid="difference"' in page  # 4 hours worked, 3 quoted
    response = admin_client_.post(
        reverse("invoicing:correction_add", args=[intervention.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "line": "labour:normal",
            "quantity": "3",
            "reason": "",
        },
    )
    assert response.status_code == 200 and not Correction.objects.exists()
    response = admin_client_.post(
        reverse("invoicing:correction_add", args=[intervention.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "line": "labour:normal",
            "quantity": "3",
            "reason": "One hour was training",
        },
    )
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.by == administrator and correction.quantity == Decimal("3")
    response = admin_client_.post(reverse("invoicing:verify", args=[intervention.pk]))
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.state == State.VERIFIED


def test_send_back_from_the_page(admin_client_):
    intervention = make_done_intervention()
    admin_client_.post(
        reverse("invoicing:send_back", args=[intervention.pk]), {"reason": "Report missing"}
    )
    intervention.refresh_from_db()
    assert intervention.state == State.PLANNED


def test_invoice_two_calls_from_the_pages(admin_client_):
    first = make_verified_call()
    second = make_verified_call(call=make_call(unit=make_unit(first.site)))
    page = admin_client_.get(reverse("invoicing:billable_calls")).content.decode()
    assert first.code in page and second.code in page
    response = admin_client_.post(
        reverse("invoicing:billable_calls"), {"calls": [first.pk, second.pk]}
    )
    invoice = Invoice.objects.get()
    assert response["Location"] == invoice.get_absolute_url()
    assert admin_client_.get(invoice.get_absolute_url()).status_code == 200
    # issuing needs the explicit confirmation
    admin_client_.post(reverse("invoicing:invoice_issue", args=[invoice.pk]))
    assert Invoice.objects.get().state == InvoiceState.DRAFT
    admin_client_.post(reverse("invoicing:invoice_issue", args=[invoice.pk]), {"confirm": "yes"})
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ISSUED
    assert set(Intervention.objects.values_list("state", flat=True)) == {State.INVOICED}
    pdf = admin_client_.get(reverse("invoicing:invoice_pdf", args=[invoice.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_exports_for_the_accountant(admin_client_, administrator):
    draft = services.create_draft(calls=[make_verified_call()], acting_user=administrator)
    invoice = services.issue(invoice=draft, acting_user=administrator)
    csv = body(admin_client_.get(reverse("invoicing:export_csv"))).decode("utf-8-sig")
    assert invoice.code in csv and str(invoice.total) in csv
    xlsx = admin_client_.get(reverse("invoicing:export_xlsx") + f"?number={invoice.code}")
    rows = list(workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[1][0] == invoice.code
    assert len(rows) == 2


def test_pages_run_a_fixed_number_of_queries(admin_client_, administrator):
    def make_some():
        intervention = make_done_intervention()
        draft = services.create_draft(calls=[make_verified_call()], acting_user=administrator)
        services.issue(invoice=draft, acting_user=administrator)
        make_verified_call()
        return intervention

    one = make_some()
    urls = [
        reverse("invoicing:verification_list"),
        reverse("invoicing:billable_calls"),
        reverse("invoicing:invoice_list"),
        reverse("invoicing:verification_detail", args=[one.pk]),
        reverse("invoicing:invoice_detail", args=[Invoice.objects.get().pk]),
    ]
    small = [_count(admin_client_, url) for url in urls]
    for _ in range(4):
        make_some()
    assert [_count(admin_client_, url) for url in urls] == small
    # a draft with several calls costs the same as a draft with one
    single = services.create_draft(calls=[make_verified_call()], acting_user=administrator)
    first = make_verified_call()
    second = make_verified_call(call=make_call(unit=make_unit(first.site)))
    double = services.create_draft(calls=[first, second], acting_user=administrator)
    assert _count(admin_client_, single.get_absolute_url()) == _count(
        admin_client_, double.get_absolute_url()
    )


def test_verification_detail_costs_the_same_with_many_actuals(admin_client_, administrator):
    few = make_done_intervention()
    many = make_done_intervention()
    for entry in list(many.time_entries.all()) * 3:
        entry.pk = None
        entry.save()
    for part in list(many.parts_used.all()) * 4:
        part.pk = None
        part.save()
    for line in ("labour:normal", "km", "parts:1"):
        services.add_correction(
            intervention=many,
            line=line,
            quantity=Decimal(1),
            unit_price=Decimal(1),
            reason="check",
            acting_user=administrator,
        )
    services.add_correction(
        intervention=few,
        line="labour:normal",
        quantity=Decimal(1),
        reason="check",
        acting_user=administrator,
    )
    assert _count(admin_client_, reverse("invoicing:verification_detail", args=[few.pk])) == _count(
        admin_client_, reverse("invoicing:verification_detail", args=[many.pk])
    )


def test_the_verification_page_links_the_signed_report(admin_client_):
    intervention = make_done_intervention()
    url = reverse("invoicing:verification_detail", args=[intervention.pk])
    assert "The customer has not signed a report." in admin_client_.get(url).content.decode()
    Intervention.objects.filter(pk=intervention.pk).update(
        signed_by="Giulia Bianchi", signed_at="2026-11-20T10:00:00+00:00"
    )
    page = admin_client_.get(url).content.decode()
    report = reverse("calls:report_pdf", args=[intervention.call_id, intervention.number])
    assert f'href="{report}"' in page and "Giulia Bianchi" in page


def test_the_invoice_pdf_reads_the_invoice_and_its_lines_only(admin_client_, administrator):
    def issue(calls):
        draft = services.create_draft(calls=calls, acting_user=administrator)
        return services.issue(invoice=draft, acting_user=administrator)

    single = issue([make_verified_call()])
    first = make_verified_call()
    double = issue([first, make_verified_call(call=make_call(unit=make_unit(first.site)))])
    for invoice in (single, double):
        with CaptureQueriesContext(connection) as ctx:
            pdf = documents.invoice_pdf(selectors.invoice_document(invoice.pk))
        # the invoice with customer, credited and payment term; lines; due dates
        assert len(ctx.captured_queries) == 3
        assert pdf.startswith(b"%PDF")
    url = reverse("invoicing:invoice_pdf", args=[single.pk])
    assert _count(admin_client_, url) == _count(
        admin_client_, reverse("invoicing:invoice_pdf", args=[double.pk])
    )
    assert (
        admin_client_.get(reverse("invoicing:invoice_pdf", args=[double.pk + 99])).status_code
        == 404
    )
