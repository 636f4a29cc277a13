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
    page.click("[data-testid=select-all]")
    page.wait_for_selector("[data-testid=selection-count]:has-text('2 calls selected')")
    page.click("[data-testid=create-draft]")
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


def _quick_verified_calls(site, count):
    calls = []
    for _ in range(count):
        call = make_call(unit=make_unit(site), with_contact=False)
        Intervention.objects.filter(call=call).update(state=State.VERIFIED)
        calls.append(call)
    return calls


def test_administrator_invoices_calls_from_two_pages_and_a_batch(page, login, administrator):
    """Issue 19: calls ticked on two pages make one invoice; the batch makes the head office's
    draft for its two plants, issued from the drafts page."""
    from django.conf import settings

    from tests.factories import make_customer, make_site

    alpha = make_customer(name="Alpha Impianti S.p.A.")
    calls = _quick_verified_calls(make_site(alpha), settings.PAGE_SIZE + 2)
    login(administrator.username, PASSWORD)

    page.goto("/invoicing/to-invoice/")
    first = page.locator("[data-testid=customer-group] input[type=checkbox]").first
    first_value = int(first.get_attribute("value"))
    first.check()
    page.wait_for_selector("[data-testid=selection-count]:has-text('1 call selected')")
    page.click("a[rel=next]")
    page.wait_for_selector("[data-testid=customer-group]")
    second = page.locator("[data-testid=customer-group] input[type=checkbox]").first
    second_value = int(second.get_attribute("value"))
    second.check()
    page.wait_for_selector("[data-testid=selection-count]:has-text('2 calls selected')")
    page.click("[data-testid=create-draft]")
    page.wait_for_selector("text=Draft invoice created")
    page.check("#confirm-issue")
    page.click("[data-testid=issue]")
    page.wait_for_selector("text=issued.")
    invoice = Invoice.objects.get()
    assert invoice.state == InvoiceState.ISSUED
    assert set(invoice.calls.values_list("pk", flat=True)) == {first_value, second_value}
    assert first_value != second_value and len(calls) == settings.PAGE_SIZE + 2

    # the batch: the head office pays for its two plants; Alpha's other calls too
    head = make_customer(name="Holding Centrale S.p.A.")
    for n in (1, 2):
        plant = make_customer(name=f"Stabilimento {n} S.r.l.", billing_customer=head)
        _quick_verified_calls(make_site(plant, name=f"Reparto {n}"), 1)
    page.goto("/invoicing/batch/")
    page.click("[data-testid=preview]")
    page.wait_for_selector("[data-testid=batch-row]")
    assert page.locator("[data-testid=batch-row]").count() == 2
    row = page.locator("[data-testid=batch-row]:has-text('Holding Centrale S.p.A.')")
    assert "Stabilimento 1 S.r.l." in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=create-drafts]")
    page.wait_for_selector("text=2 draft invoices created.")
    head_row = page.locator("[data-testid=draft-row]:has-text('Holding Centrale S.p.A.')")
    head_row.locator("input[type=checkbox]").check()
    page.check("#confirm-issue-drafts")
    page.click("[data-testid=issue-drafts]")
    page.wait_for_selector("text=1 invoices issued")
    screenshot(page, "drafts-issued")
    issued = Invoice.objects.get(customer=head)
    assert issued.state == InvoiceState.ISSUED and issued.number == 2
    assert issued.calls.count() == 2
    assert Invoice.objects.get(customer=alpha, state=InvoiceState.DRAFT).calls.count() == (
        settings.PAGE_SIZE
    )
