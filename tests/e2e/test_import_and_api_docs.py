"""An administrator imports customers from a CSV (preview, then confirm); the API docs render
under the strict CSP with assets served by the portal."""

from __future__ import annotations

import pytest

from customers.models import Customer
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "external_code,name,vat_number,city\n"
    "C1,Officine Alfa S.r.l.,00743110157,Brescia\n"
    "C2,Beta S.p.A.,,Torino\n"
)


def test_administrator_previews_then_confirms_an_import(page, login, administrator, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CSV)
    login(administrator.username, PASSWORD)
    page.goto("/customers/import/")
    page.wait_for_selector("h1:has-text('Import and export the installed base')")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Preview the import')")
    page.wait_for_selector("#import-summary")
    assert "C1" in page.inner_text("#changed-rows")
    assert Customer.objects.count() == 0  # the preview saved nothing
    screenshot(page, "import-preview")
    page.click("button:has-text('Confirm and import')")
    page.wait_for_selector("text=Import done: 2 created")
    assert Customer.objects.get(external_code="C1").vat_number == "IT00743110157"


def test_api_docs_render_without_a_cdn(page):
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info")
    page.wait_for_selector("text=/api/v1/customers/by-code/{code}/")
    screenshot(page, "api-docs")
