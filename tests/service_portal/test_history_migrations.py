"""The history migrations of issue 16 keep every recorded row.

Quote events (``user``, ``note``) and offer/order changes (``note``) are renamed in place to the
shared shape (``by``, ``reason``); invoices issued before the invoice history existed get their
rows (who issued them, when; the credit note's reason). The test records real history, takes
the database back to the shapes before the change and forward again, and reads it all back.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from invoicing import credits as invoicing_credits
from invoicing import services as invoicing_services
from invoicing.models import InvoiceStateChange
from orders.models import OfferStateChange
from quotes.models import QuoteEvent
from quotes.services import confirm_quote, create_quote_from_price_list
from tests.factories import make_customer
from tests.invoicing.factories import make_verified_call
from tests.orders.factories import make_sent
from tests.quotes.factories import make_price_list

BEFORE = [
    ("quotes", "0004_text_max_length"),
    ("orders", "0006_text_max_length"),
    ("invoicing", "0003_text_max_length"),
]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_going_back_and_forth_keeps_every_history_row(administrator, operator):
    quote = create_quote_from_price_list(
        customer=make_customer(),
        price_list=make_price_list(name="Listino 2026"),
        acting_user=administrator,
    )
    confirm_quote(quote=quote, acting_user=administrator)
    offer = make_sent(operator)
    draft = invoicing_services.create_draft(calls=[make_verified_call()], acting_user=administrator)
    invoice = invoicing_services.issue(invoice=draft, acting_user=administrator)
    note = invoicing_credits.issue_credit_note(
        invoice=invoice, acting_user=administrator, reason="Wrong rate"
    )
    quote_rows = list(QuoteEvent.objects.order_by("pk").values_list("by", "action", "reason"))
    offer_rows = list(
        OfferStateChange.objects.filter(offer=offer).order_by("pk").values_list("by", "reason")
    )
    assert "Listino 2026" in [reason for _by, _action, reason in quote_rows]
    assert offer_rows and any(reason for _by, reason in offer_rows)

    latest = [
        (app, MigrationExecutor(connection).loader.graph.leaf_nodes(app)[0][1])
        for app, _name in BEFORE
    ]
    try:
        _migrate(BEFORE)  # the shapes before issue 16: user/note, no invoice history
    finally:
        _migrate(latest)  # renamed back in place; the invoice history rebuilt from the invoices

    assert list(QuoteEvent.objects.order_by("pk").values_list("by", "action", "reason")) == (
        quote_rows
    )
    assert (
        list(
            OfferStateChange.objects.filter(offer=offer).order_by("pk").values_list("by", "reason")
        )
        == offer_rows
    )
    invoice.refresh_from_db()
    note.refresh_from_db()
    rows = {
        (row.invoice_id, row.from_state, row.to_state, row.by_id, row.reason, row.at)
        for row in InvoiceStateChange.objects.all()
    }
    assert rows == {
        (invoice.pk, "draft", "issued", administrator.pk, "", invoice.issued_at),
        (note.pk, "draft", "issued", administrator.pk, "Wrong rate", note.issued_at),
        (
            invoice.pk,
            "issued",
            "issued",
            administrator.pk,
            f"{note.code}: Wrong rate",
            note.issued_at,
        ),
    }
