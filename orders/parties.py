"""The parties of an offer as text, frozen into the offer when it is sent."""

from __future__ import annotations

from typing import Any


def _company(customer: Any) -> dict[str, str]:
    return {
        "name": customer.name,
        "address": customer.full_address,
        "vat_number": customer.vat_number,
        "fiscal_code": customer.fiscal_code,
    }


def live_parties(document: Any) -> dict[str, Any]:
    """Names and addresses read from the installed base now."""
    contact = document.contact
    billing_contact = document.billing_contact
    unit = document.unit
    return {
        "customer": _company(document.customer),
        "site": {"name": document.site.name, "address": document.site.full_address},
        "contact": {"name": contact.name, "email": contact.email, "phone": contact.phone},
        "billing": _company(document.billing_customer),
        "billing_site": (
            {"name": document.billing_site.name, "address": document.billing_site.full_address}
            if document.billing_site
            else None
        ),
        "billing_contact": (
            {"name": billing_contact.name, "email": billing_contact.email}
            if billing_contact
            else None
        ),
        "unit": (
            {"serial_number": unit.serial_number, "product": str(unit.product)} if unit else None
        ),
    }


def parties_of(document: Any) -> dict[str, Any]:
    """The frozen parties of an issued document, the live ones of a draft."""
    return document.issued_parties or live_parties(document)
