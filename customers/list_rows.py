"""The rows of the customer, unit and contact lists: plain values, shown by their templates.

As for the call search (calls/search_rows.py): a page of 25 units read as model instances (each
with its product, site and customer joined) costs more CPU than the same columns read with
``values()``, and a row here holds what its cells show and nothing else. The product's
description is a translated field: its per-language columns are read and the text chosen as
modeltranslation chooses it (``service_portal.i18n.translated_value``). The warranty badge asks
the rule ``Unit.under_warranty`` asks (``customers.models.warranty_covers``), the phone link is
built as ``Contact.phone_uri`` builds it (``customers.validators.phone_uri``), and the links are
reversed once a page and filled with each row's ids.

The customer list's country and language are the choices' labels, looked up once a page
(``service_portal.choices.choice_labels``, what ``get_FOO_display()`` reads).

The customer and site pages show their first units the same way (``unit_lines``: the units'
own columns, their product's code and, on the customer page, their site's name, instead of each
unit with its product, site and customer as instances).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.encoding import force_str

from customers.models import Customer, Product, Unit
from customers.validators import phone_uri
from service_portal.choices import choice_labels
from service_portal.i18n import localized_fields, translated_value
from service_portal.links import ID_MARKERS, url_pattern
from service_portal.rows import TemplateRow

# What the unit list reads of each unit (one query, the product, site and customer joined). The
# list's order (serial number, pk: Unit.Meta.ordering) is among them: the page links carry the
# sort values of the rows next to them.
UNIT_ROW_FIELDS = (
    "pk",
    "serial_number",
    "warranty_end",
    "product__code",
    *(f"product__{name}" for name in localized_fields("description")),
    "site__name",
    "site__customer",
    "site__customer__name",
)

# The same for the customer list (Customer.Meta.ordering: name, pk).
CUSTOMER_ROW_FIELDS = ("pk", "name", "is_active", "vat_number", "city", "country", "language")

# The same for the contact list (Contact.Meta.ordering: name, pk).
CONTACT_ROW_FIELDS = (
    "pk",
    "name",
    "role",
    "phone",
    "email",
    "customer",
    "customer__name",
    "site__name",
)


@dataclass(frozen=True, slots=True)
class UnitRow(TemplateRow):
    """One unit as its row shows it."""

    pk: int
    url: str  # its page
    serial_number: str
    product_code: str
    product_description: str  # in the reader's language (or its fallback)
    customer_url: str
    customer_name: str
    site_name: str
    warranty_end: datetime.date | None  # {% warranty_badge %} reads it


@dataclass(frozen=True, slots=True)
class CustomerRow(TemplateRow):
    """One customer as its row shows it."""

    pk: int
    url: str  # its page
    name: str
    is_active: bool
    vat_number: str
    city: str
    country: str  # the label, in the reader's language
    language: str  # the label, in the reader's language

    def __str__(self) -> str:
        return self.name  # as the customer's own


@dataclass(frozen=True, slots=True)
class ContactRow(TemplateRow):
    """One contact as its row shows it."""

    pk: int
    url: str  # its page
    name: str
    role: str
    customer_url: str
    customer_name: str
    site_name: str  # "" without a site
    phone: str
    phone_uri: str
    email: str


@dataclass(frozen=True, slots=True)
class UnitLine(TemplateRow):
    """One unit as the customer and site pages show it (customers/unit_table.html)."""

    pk: int
    url: str  # its page
    serial_number: str
    product_code: str
    site_name: str  # "" when the table leaves the site out
    warranty_end: datetime.date | None  # {% warranty_badge %} reads it


def unit_lines(units: QuerySet[Unit], limit: int, *, site: bool) -> tuple[list[UnitLine], int]:
    """The first ``limit`` of ``units`` (in their order) as lines, and how many ``units`` there
    are: one row more than shown is read, so the count is a query of its own only when the
    table is cut (``site``: the lines carry their site's name)."""
    fields = ["pk", "serial_number", "warranty_end", "product__code"]
    if site:
        fields.append("site__name")
    page = list(units.values(*fields)[: limit + 1])
    count = len(page) if len(page) <= limit else units.count()
    link = url_pattern("customers:unit_detail", ID_MARKERS[0])
    lines = [
        UnitLine(
            pk=values["pk"],
            url=link.format(values["pk"]),
            serial_number=values["serial_number"],
            product_code=values["product__code"],
            site_name=values["site__name"] if site else "",
            warranty_end=values["warranty_end"],
        )
        for values in page[:limit]
    ]
    return lines, count


def unit_rows(page: Iterable[dict[str, Any]]) -> list[UnitRow]:
    """The rows of a page of ``values(*UNIT_ROW_FIELDS)`` of the units, in the page's order."""
    unit_link = url_pattern("customers:unit_detail", ID_MARKERS[0])
    customer_link = url_pattern("customers:customer_detail", ID_MARKERS[0])
    return [
        UnitRow(
            pk=values["pk"],
            url=unit_link.format(values["pk"]),
            serial_number=values["serial_number"],
            product_code=values["product__code"],
            product_description=translated_value(
                Product, "description", values, "product__description"
            ),
            customer_url=customer_link.format(values["site__customer"]),
            customer_name=values["site__customer__name"],
            site_name=values["site__name"],
            warranty_end=values["warranty_end"],
        )
        for values in page
    ]


def customer_rows(page: Iterable[dict[str, Any]]) -> list[CustomerRow]:
    """The rows of a page of ``values(*CUSTOMER_ROW_FIELDS)`` of the customers, in its order."""
    link = url_pattern("customers:customer_detail", ID_MARKERS[0])
    countries = choice_labels(Customer._meta.get_field("country"))
    languages = choice_labels(Customer._meta.get_field("language"))
    return [
        CustomerRow(
            pk=values["pk"],
            url=link.format(values["pk"]),
            name=values["name"],
            is_active=values["is_active"],
            vat_number=values["vat_number"],
            city=values["city"],
            country=force_str(countries.get(values["country"], values["country"])),
            language=force_str(languages.get(values["language"], values["language"])),
        )
        for values in page
    ]


def contact_rows(page: Iterable[dict[str, Any]]) -> list[ContactRow]:
    """The rows of a page of ``values(*CONTACT_ROW_FIELDS)`` of the contacts, in its order."""
    contact_link = url_pattern("customers:contact_detail", ID_MARKERS[0])
    customer_link = url_pattern("customers:customer_detail", ID_MARKERS[0])
    return [
        ContactRow(
            pk=values["pk"],
            url=contact_link.format(values["pk"]),
            name=values["name"],
            role=values["role"],
            customer_url=customer_link.format(values["customer"]),
            customer_name=values["customer__name"],
            site_name=values["site__name"] or "",
            phone=values["phone"],
            phone_uri=phone_uri(values["phone"]),
            email=values["email"],
        )
        for values in page
    ]
