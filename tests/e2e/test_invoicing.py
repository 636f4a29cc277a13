"""An administrator verifies two interventions of one customer (one after a correction),
invoices both calls together and downloads the PDF."""

from __future__ import annotations

import pytest

from calls.models import Intervention, State
from invoicing.models import Correction, Invoice, InvoiceState
from tests.calls.factories import make_call
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.factories import make_unit
from tests.invoicing.factories import make_done_intervention

pytestmark = pytest.mark.django_db(transaction=True)


def test_administrator_verifies_and_invoices_two_calls(page, login, administrator):
    first = make_done_intervention()
    second = make_done_intervention(call=make_call(unit=make_unit(first.call.site)))

    login(administrator.username, PASSWORD)
    page.goto("/invoicing/verification/")
    page.wait_for_selector("h1:has-text('Final verification')")

    # the first one after a correction: one of the four hours was training
    page.click(f"a:has-text('{first.code}')")
    page.wait_for_selector("[data-testid=difference]")  # 4 hours worked, 3 quoted
    page.select_option("select[name=line]", "labour:normal")
    page.fill("input[name=quantity]", "3")
    page.fill("textarea[name=reason]", "One hour was training")
    page.click("button:has-text('Record correction')")
    page.wait_for_selector("text=Correction recorded.")
    page.wait_for_selector("[data-testid=corrections] >> text=One hour was training")
    page.click("[data-testid=verify]")
    page.wait_for_selector(f"text=Intervention {first.code} verified.")

    page.click(f"a:has-text('{second.code}')")
    page.click("[data-testid=verify]")
    page.wait_for_selector(f"text=Intervention {second.code} verified.")
    assert set(Intervention.objects.values_list("state", flat=True)) == {State.VERIFIED}

    page.goto("/invoicing/to-invoice/")
    assert page.locator("[data-testid=customer-group]").count() == 1
    # all the calls of one customer together, whatever page they were on
    page.click("[data-testid=only-customer]")
    page.wait_for_selector("[data-testid=one-customer]")
    group = page.locator("[data-testid=customer-group]")
    assert group.count() == 1
    group.locator("button:has-text('Create draft invoice')").click()
    page.wait_for_selector("text=Draft invoice created")
    page.check("#confirm-issue")
    page.click("[data-testid=issue]")
    page.wait_for_selector("text=issued.")
    screenshot(page, "invoice-issued")

    invoice = Invoice.objects.get()
    assert invoice.state == InvoiceState.ISSUED
    assert invoice.calls.count() == 2
    assert Correction.objects.count() == 1
    with page.expect_download() as download_info:
        page.click("[data-testid=invoice-pdf]")
    path = download_info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(4) == b"%PDF"
    assert set(Intervention.objects.values_list("state", flat=True)) == {State.INVOICED}
