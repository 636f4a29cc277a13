"""The parties of a document (customer, site, contact, billing, unit) as text, frozen when issued.

A document prints the names and addresses it was issued with, whatever later happens to the
installed base: a sent offer, a confirmed quote, an issued invoice or credit note. One helper
describes each kind of party and freezes them all, so every document freezes the same fields the
same way:

- ``live_parties(document)``: the parties read from the installed base now;
- ``freeze(document)``: store them in ``document.issued_parties`` (a JSON field; the caller saves);
- ``parties_of(document)``: what to print, the frozen parties of an issued document, the live
  ones of a draft.

Documents with their own columns for the customer (invoices: searched, exported and served by
the API) fill them from ``company(customer)``.

The helpers read attributes only (``service_portal`` imports no app): a customer has ``name``,
``full_address``, ``address``/``postal_code``/``city``/``province``/``country``, ``vat_number``,
``fiscal_code``, ``email`` and ``language``; a site ``name`` and ``full_address``; a contact
``name``, ``email`` and ``phone``; a unit ``serial_number`` and ``product``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def company(customer: Any) -> dict[str, str]:
    """A customer (or the billed company) as printed: ``address`` on one line,
    ``postal_address`` on lines (street, postal code city province, country)."""
    place = " ".join(p for p in (customer.postal_code, customer.city, customer.province) if p)
    return {
        "name": customer.name,
        "address": customer.full_address,
        "postal_address": "\n".join(p for p in (customer.address, place, customer.country) if p),
        "vat_number": customer.vat_number,
        "fiscal_code": customer.fiscal_code,
        "email": customer.email,
        "language": customer.language,
    }


def site(place: Any) -> dict[str, str]:
    return {"name": place.name, "address": place.full_address}


def contact(person: Any) -> dict[str, str]:
    return {"name": person.name, "email": person.email, "phone": person.phone}


def unit(machine: Any) -> dict[str, str]:
    return {"serial_number": machine.serial_number, "product": str(machine.product)}


# (key in the frozen parties, attribute of the document, how the party is described)
PARTIES: tuple[tuple[str, str, Callable[[Any], dict[str, str]]], ...] = (
    ("customer", "customer", company),
    ("site", "site", site),
    ("contact", "contact", contact),
    ("billing", "billing_customer", company),
    ("billing_site", "billing_site", site),
    ("billing_contact", "billing_contact", contact),
    ("unit", "unit", unit),
)


def live_parties(document: Any) -> dict[str, Any]:
    """The parties the document has (a quote: its customer; an offer: all of them), read now;
    an optional party that is empty is ``None``."""
    parties: dict[str, Any] = {}
    for key, attribute, describe in PARTIES:
        if not hasattr(type(document), attribute):
            continue
        related = getattr(document, attribute)
        parties[key] = describe(related) if related is not None else None
    return parties


def freeze(document: Any) -> dict[str, Any]:
    """Freeze the document's parties into ``document.issued_parties`` (the caller saves it)."""
    document.issued_parties = live_parties(document)
    return document.issued_parties


def parties_of(document: Any) -> dict[str, Any]:
    """The frozen parties of an issued document, the live ones of a draft."""
    return document.issued_parties or live_parties(document)
