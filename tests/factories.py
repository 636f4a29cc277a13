"""Small builders for test data: explicit defaults, every field overridable."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from accounts.models import Role, User
from customers.models import Contact, Customer, Product, Site, Unit

_seq = itertools.count(1)


def make_user(username: str | None = None, role: str = Role.TECHNICIAN, **fields: Any) -> User:
    password = fields.pop("password", None)
    username = username or f"user{next(_seq)}"
    fields.setdefault("language", "en")
    fields.setdefault("email", f"{username}@example.com")
    user = User(username=username, role=role, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def make_customer(**fields: Any) -> Customer:
    n = next(_seq)
    fields.setdefault("name", f"Customer {n} S.r.l.")
    fields.setdefault("city", "Milano")
    fields.setdefault("language", "it")
    return Customer.objects.create(**fields)


def make_site(customer: Customer | None = None, **fields: Any) -> Site:
    fields.setdefault("name", f"Site {next(_seq)}")
    fields.setdefault("city", "Milano")
    return Site.objects.create(customer=customer or make_customer(), **fields)


def make_contact(customer: Customer | None = None, **fields: Any) -> Contact:
    fields.setdefault("name", f"Contact {next(_seq)}")
    fields.setdefault("phone", "+39 02 1234567")
    fields.setdefault("email", "contact@example.com")
    return Contact.objects.create(customer=customer or make_customer(), **fields)


def make_product(**fields: Any) -> Product:
    n = next(_seq)
    fields.setdefault("code", f"PRD-{n}")
    fields.setdefault("description", f"Machine {n}")
    return Product.objects.create(**fields)


def make_unit(site: Site | None = None, product: Product | None = None, **fields: Any) -> Unit:
    fields.setdefault("serial_number", f"SN-{next(_seq):06d}")
    fields.setdefault("installation_date", datetime.date(2025, 1, 15))
    fields.setdefault("warranty_end", datetime.date(2027, 1, 15))
    return Unit.objects.create(
        site=site or make_site(), product=product or make_product(), **fields
    )
