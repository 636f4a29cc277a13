"""The parties of a document, described and frozen by one helper for every document."""

from __future__ import annotations

import pytest

from customers.models import Customer
from service_portal import parties
from tests.factories import make_contact, make_customer, make_site, make_unit

pytestmark = pytest.mark.django_db


def test_a_customer_is_described_with_its_address_fiscal_data_and_language():
    customer = make_customer(
        name="Officine Rossi S.r.l.",
        address="Via Roma 1",
        postal_code="20100",
        city="Milano",
        province="MI",
        country="IT",
        email="amministrazione@rossi.example",
        language="it",
    )
    described = parties.company(customer)
    assert described["name"] == "Officine Rossi S.r.l."
    assert described["address"] == customer.full_address
    assert described["postal_address"] == "Via Roma 1\n20100 Milano MI\nIT"
    assert described["vat_number"] == customer.vat_number
    assert described["fiscal_code"] == customer.fiscal_code
    assert described["email"] == "amministrazione@rossi.example"
    assert described["language"] == "it"


def test_an_address_without_city_or_street_has_no_empty_lines():
    customer = make_customer(address="", postal_code="", city="", province="", country="CH")
    assert parties.company(customer)["postal_address"] == "CH"


class _Document:
    """A document with a customer, a site, a contact and a unit, as an offer has."""

    customer = site = contact = unit = None
    issued_parties: dict = {}


def test_frozen_parties_stay_as_issued_when_the_installed_base_changes():
    customer = make_customer(name="Before S.p.A.")
    document = _Document()
    document.customer = customer
    document.site = make_site(customer, name="Plant 1")
    document.contact = make_contact(customer, name="Anna Bianchi")
    document.unit = make_unit(document.site)
    document.issued_parties = {}
    frozen = parties.freeze(document)
    assert document.issued_parties is frozen
    assert frozen["customer"]["name"] == "Before S.p.A."
    assert frozen["site"]["name"] == "Plant 1"
    assert frozen["contact"]["name"] == "Anna Bianchi"
    assert frozen["unit"]["serial_number"] == document.unit.serial_number
    # Only the parties the document has: no billing entries for a document without them.
    assert set(frozen) == {"customer", "site", "contact", "unit"}

    Customer.objects.filter(pk=customer.pk).update(name="After S.p.A.")
    document.customer = Customer.objects.get(pk=customer.pk)
    assert parties.parties_of(document)["customer"]["name"] == "Before S.p.A."
    assert parties.live_parties(document)["customer"]["name"] == "After S.p.A."


def test_a_draft_prints_the_live_parties_and_an_empty_optional_party_is_none():
    document = _Document()
    document.customer = make_customer(name="Live S.r.l.")
    document.site = make_site(document.customer)
    document.contact = make_contact(document.customer)
    document.unit = None
    printed = parties.parties_of(document)
    assert printed["customer"]["name"] == "Live S.r.l."
    assert printed["unit"] is None
