"""Builders for the orders tests: terms, parts, and offers at any point of their life."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from orders import services
from orders.models import DeliveryTerm, Offer, PaymentMethod, SparePart, Transport, VatRate
from tests.factories import make_contact, make_customer, make_product, make_site, make_unit

_seq = itertools.count(1)


def make_vat(code: str = "22", rate: str = "22", **fields: Any) -> VatRate:
    fields.setdefault("name_it", f"IVA {rate}%")
    fields.setdefault("name_en", f"VAT {rate}%")
    vat, _ = VatRate.objects.get_or_create(code=code, defaults={"rate": Decimal(rate), **fields})
    return vat


def make_terms() -> dict[str, Any]:
    return {
        "payment_method": PaymentMethod.objects.create(
            name_it="Bonifico bancario", name_en="Bank transfer"
        ),
        "delivery_term": DeliveryTerm.objects.create(name_it="Franco destino", name_en="Delivered"),
        "transport": Transport.objects.create(name_it="Nostro corriere", name_en="Our courier"),
    }


def make_part(code: str | None = None, *, products=(), **fields: Any) -> SparePart:
    n = next(_seq)
    fields.setdefault("description_it", f"Ricambio {n}")
    fields.setdefault("description_en", f"Spare part {n}")
    fields.setdefault("list_price", Decimal("10.00"))
    fields.setdefault("vat_rate", make_vat())
    part = SparePart.objects.create(code=code or f"SP-{n:05d}", **fields)
    if products:
        part.products.set(products)
    return part


def make_setting(*, language: str = "it", email: str = "buyer@example.com") -> dict[str, Any]:
    """A customer with a site, a contact and a unit."""
    customer = make_customer(language=language)
    site = make_site(customer)
    contact = make_contact(customer, site=site, email=email, name="Giulia Neri")
    unit = make_unit(site, make_product())
    return {"customer": customer, "site": site, "contact": contact, "unit": unit}


def make_draft(user, *, parts=(), language: str = "it", **setting: Any) -> Offer:
    values = setting or make_setting(language=language)
    offer = services.create_draft_offer(acting_user=user, **values)
    for part in parts:
        services.add_line(offer=offer, spare_part=part, acting_user=user)
    return offer


def make_sent(user, **kwargs: Any) -> Offer:
    kwargs.setdefault("parts", [make_part()])
    offer = make_draft(user, **kwargs)
    return services.send_offer(offer=offer, acting_user=user)


def make_accepted(user, **kwargs: Any) -> Offer:
    offer = make_sent(user, **kwargs)
    return services.record_decision(
        offer=offer, accept=True, name="Giulia Neri", channel="phone", acting_user=user
    )
