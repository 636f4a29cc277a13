"""On a phone every list names each value: the server-side half of the phone sweep's label check.

tests/e2e/test_phone_fit.py checks the stacked tables' labels in a browser for the technician's
pages; this walk checks every page of the permission table (every GET row, as every role allowed
to see it, the Django admin apart) from the HTML alone, so the office's lists are covered too,
by the rules of tests/stacked_tables.py. The pages named in ``LISTS`` must have had rows to
check (the walk does not pass on empty lists); lists that are empty with the table's objects are
checked with rows by their own tests through ``labelled_rows`` (the batch preview, the expenses
report).
"""

from __future__ import annotations

from django.urls import reverse

from tests.factories import make_user
from tests.permission_tables import ANON, ROLES
from tests.stacked_tables import problems
from tests.test_permissions import ROWS, STAFF_FIELDS, _build_world

# The pages whose stacked tables have rows with the permission table's objects (the others show
# their "nothing found" line there: the stock moves, the van restock, the batch preview before a
# date is chosen, a month without expenses): each must show at least one labelled row.
LISTS = {
    "accounts:audit_log",
    "accounts:user_list",
    "calls:call_search",
    "calls:customer_history",
    "calls:manage",
    "calls:unit_history",
    "contracts:contract_detail",
    "contracts:contract_list",
    "customers:contact_list",
    "dashboard:home",
    "customers:customer_detail",
    "customers:customer_list",
    "customers:product_list",
    "customers:site_detail",
    "customers:site_list",
    "customers:unit_list",
    "events:endpoint_detail",
    "events:endpoint_list",
    "invoicing:draft_list",
    "invoicing:invoice_detail",
    "invoicing:invoice_list",
    "invoicing:open_items",
    "invoicing:verification_detail",
    "invoicing:verification_list",
    "orders:offer_detail",
    "orders:offer_list",
    "orders:order_detail",
    "orders:order_list",
    "orders:order_shipments",
    "orders:public_offer",
    "orders:sparepart_list",
    "planner:intervention_hours",
    "planner:team_hours",
    "quotes:pricelist_detail",
    "quotes:pricelist_list",
    "quotes:public_quote",
    "quotes:quote_detail",
    "quotes:quote_list",
    "stock:warehouse_list",
}


def test_every_list_labels_each_cell_for_a_phone(client_for, db):
    world = _build_world()
    clients = {
        role: client_for(make_user(f"labels-{role}", role, **STAFF_FIELDS.get(role, {})))
        for role in ROLES
        if role != ANON
    }
    clients[ANON] = client_for(None)
    found: dict[str, list[str]] = {}
    labelled: set[str] = set()
    seen = 0
    for row in ROWS:
        if row.method != "get" or row.url_name.startswith("admin:"):
            continue
        for role in ROLES:
            if row.expect.get(role) != 200:
                continue
            url = reverse(row.url_name, args=row.args(world))
            url = f"{url}?{row.query}" if row.query else url
            response = clients[role].get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            seen += 1
            found_here, rows_checked = problems(response.content.decode())
            if found_here:
                found[f"{role} {url}"] = sorted(set(found_here))
            if rows_checked:
                labelled.add(row.url_name)
    assert seen > 50  # the walk really rendered the portal's pages
    assert not found, "\n".join(f"{where}:\n  " + "\n  ".join(p) for where, p in found.items())
    assert LISTS <= labelled, f"lists without a row to check: {sorted(LISTS - labelled)}"


def test_a_cell_without_its_label_fails():
    """The check itself: a stacked list's cell without data-label, or labelled with another
    column's heading, is found; a "nothing found" line, buttons and empty cells are not."""
    page = """<table class="table table-hover table-stack"><thead><tr>
      <th scope="col">Code</th><th scope="col">Customer</th><th scope="col"></th></tr></thead>
      <tbody>
      <tr><td data-label="Code">Q-1</td><td>ACME</td><td class="table-actions"><a>Edit</a></td></tr>
      <tr><td data-label="Customer">Q-2</td><td data-label="Customer">ACME</td><td></td></tr>
      <tr><td colspan="3">No quotes match these filters.</td></tr>
      </tbody></table>
      <table class="table table-hover"><tbody><tr><td>a</td><td>b</td></tr></tbody></table>"""
    found, rows_checked = problems(page)
    assert sorted(found) == [
        "table table table-hover table-stack: a cell without data-label: 'ACME'",
        "table table table-hover table-stack: label 'Customer' under the column 'Code'",
        "table table table-hover: a list that is not stacked on a phone (table-stack)",
    ]
    assert rows_checked == 2
