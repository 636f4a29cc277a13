"""The operator's home: the dashboard draws its charts (no console errors under the strict CSP)
and the customer picker narrows the figures."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.dashboard import dataset
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

CHARTS = ["open_calls", "phone", "hours", "technicians", "top_units", "top_products"]


@pytest.fixture
def data(transactional_db) -> dataset.DataSet:
    return dataset.build()


def test_charts_render_and_the_customer_picker_filters(page, login, operator, data):
    login(operator.username, PASSWORD)
    page.wait_for_selector("h1:has-text('Dashboard')")  # the operator's home
    page.goto("/dashboard/?date_from=2026-10-01&date_to=2026-10-31")
    for name in CHARTS:
        page.wait_for_selector(f"canvas[data-chart={name}]")
        drawn = page.evaluate(
            "name => !!window.Chart.getChart(document.querySelector(`canvas[data-chart=${name}]`))",
            name,
        )
        assert drawn, name
    assert page.inner_text("[data-testid=received]") == "6"
    screenshot(page, "dashboard")

    page.fill("[data-testid=customer-search]", "Acme")
    page.click("[data-testid=picker-results] button:has-text('Acme Macchine')")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url(f"**customer={data.c1.pk}**")
    assert "q=" not in page.url  # the search text is not a filter
    assert page.inner_text("[data-testid=received]") == "3"
    assert page.input_value("[data-testid=customer-search]") == "Acme Macchine"
