"""Small builders for test data: explicit defaults, every field overridable."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from stdnum import luhn

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


def italian_vat_number(n: int) -> str:
    """A valid Italian VAT number (``IT`` + 11 digits) for the n-th test customer."""
    base = f"{n % 10_000_000:07d}015"
    return f"IT{base}{luhn.calc_check_digit(base)}"


def make_customer(**fields: Any) -> Customer:
    """An Italian business with the fiscal data an invoice needs (override to test without)."""
    n = next(_seq)
    fields.setdefault("name", f"Customer {n} S.r.l.")
    fields.setdefault("address", f"Via Roma {n}")
    fields.setdefault("postal_code", "20100")
    fields.setdefault("city", "Milano")
    fields.setdefault("language", "it")
    if fields.get("country", "IT") == "IT" and fields.get("vat_regime", "italian") == "italian":
        fields.setdefault("vat_number", italian_vat_number(n))
        fields.setdefault("sdi_code", "0000000")
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


def make_company_profile(**fields: Any):
    """The company that sends the documents, complete as an accountant expects it."""
    from service_portal.models import CompanyProfile

    fields = {
        "legal_name": "Tecnoservice Lombarda S.r.l.",
        "address": "Via dell'Industria 24",
        "postal_code": "20090",
        "city": "Segrate",
        "province": "MI",
        "vat_number": "IT02839470156",
        "fiscal_code": "02839470156",
        "rea_office": "MI",
        "rea_number": "1623457",
        "share_capital": Decimal("50000.00"),
        "pec": "tecnoservice@pec.example.it",
        "phone": "+39 02 2134 5678",
        "email": "amministrazione@tecnoservice.example.it",
        "bank_name": "Banca Popolare di Sondrio",
        "iban": "IT60X0542811101000000123456",
        "payment_terms_it": "Bonifico bancario a 30 giorni data fattura",
        "payment_terms_en": "Bank transfer, 30 days from the invoice date",
        "footer_text_it": "Grazie per la fiducia",
        "footer_text_en": "Thank you for your trust",
        **fields,
    }
    profile = CompanyProfile(**fields)
    profile.full_clean()
    profile.save()
    return profile
