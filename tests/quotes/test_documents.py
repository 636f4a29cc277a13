"""The quote PDF prints the customer frozen at confirmation (service_portal.parties)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from customers.models import Customer
from quotes import documents
from quotes.models import Quote
from quotes.services import QuoteError, confirm_quote, create_quote_from_price_list, revise_quote
from tests.factories import make_customer
from tests.quotes.factories import make_price_list


def _pdf_text(client, quote) -> str:
    response = client.get(reverse("quotes:quote_pdf", args=[quote.pk]))
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def _quote(administrator) -> Quote:
    customer = make_customer(
        name="Officine Bianchi S.p.A.",
        city="Milano",
        email="ufficio@bianchi.example",
        language="it",
        vat_number="",
    )
    return create_quote_from_price_list(
        customer=customer, price_list=make_price_list(), acting_user=administrator
    )


def test_a_draft_prints_the_customer_as_it_is_now(operator_client, administrator):
    quote = _quote(administrator)
    assert quote.issued_parties == {}
    Customer.objects.filter(pk=quote.customer_id).update(name="Bianchi Group S.p.A.")
    assert "Bianchi Group S.p.A." in _pdf_text(operator_client, quote)


def test_confirming_freezes_the_customer_the_pdf_prints(operator_client, administrator):
    quote = _quote(administrator)
    confirm_quote(quote=quote, acting_user=administrator)
    quote.refresh_from_db()
    frozen = quote.issued_parties["customer"]
    assert frozen["name"] == "Officine Bianchi S.p.A."
    assert frozen["email"] == "ufficio@bianchi.example"
    assert "Milano" in frozen["address"]
    # The customer renames, moves, changes e-mail and language afterwards.
    Customer.objects.filter(pk=quote.customer_id).update(
        name="Bianchi Group S.p.A.", city="Torino", email="new@bianchi.example", language="en"
    )
    text = _pdf_text(operator_client, quote)
    assert "Officine Bianchi S.p.A." in text and "ufficio@bianchi.example" in text
    assert "Bianchi Group" not in text and "Torino" not in text
    assert f"Preventivo {quote.code}" in text  # still in the language it was confirmed in
    assert documents.quote_language(Quote.objects.get(pk=quote.pk)) == "it"


def test_a_refused_confirmation_freezes_nothing(administrator):
    quote = _quote(administrator)
    quote.lines.all().delete()
    with pytest.raises(QuoteError):
        confirm_quote(quote=quote, acting_user=administrator)
    quote.refresh_from_db()
    assert quote.issued_parties == {}


def test_a_revision_is_a_draft_again_with_the_live_customer(operator_client, administrator):
    quote = _quote(administrator)
    confirm_quote(quote=quote, acting_user=administrator)
    Customer.objects.filter(pk=quote.customer_id).update(name="Bianchi Group S.p.A.")
    new = revise_quote(quote=quote, acting_user=administrator)
    assert new.issued_parties == {}
    assert "Bianchi Group S.p.A." in _pdf_text(operator_client, new)
    # The superseded quote keeps what it was confirmed with.
    assert "Officine Bianchi S.p.A." in _pdf_text(operator_client, quote)


def test_the_document_of_a_confirmed_quote_is_built_on_its_frozen_parties(administrator):
    quote = _quote(administrator)
    confirm_quote(quote=quote, acting_user=administrator)
    quote = Quote.objects.get(pk=quote.pk)
    context = documents.quote_context(quote)
    assert context["parties"] == quote.issued_parties
