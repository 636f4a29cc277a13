"""Formats of VAT numbers, fiscal codes and phone numbers.

VAT numbers are checked with python-stdnum for every EU country (plus a few neighbours), with
the country prefix taken from the customer's country when the user leaves it out. Italian fiscal
codes are either a person's 16-character code or a company's 11 digits.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import vatin
from stdnum.it import codicefiscale, iva

EU_VAT_COUNTRIES = {
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "XI",
}
OTHER_VAT_COUNTRIES = {"CH", "GB", "NO"}


def normalise_vat(value: str, country: str) -> str:
    """Return the VAT number in compact form with its country prefix (``IT12345678903``)."""
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if not compact:
        return ""
    country = (country or "").upper()
    if country == "GR":
        country = "EL"
    if compact[:2].isalpha():
        prefix = compact[:2]
    elif country in EU_VAT_COUNTRIES | OTHER_VAT_COUNTRIES:
        prefix, compact = country, country + compact
    else:
        # Outside the countries we can check, keep what the user typed.
        return compact
    if prefix not in EU_VAT_COUNTRIES | OTHER_VAT_COUNTRIES:
        raise ValidationError(
            _("%(prefix)s is not a country prefix we can check."),
            code="vat_prefix",
            params={"prefix": prefix},
        )
    if not vatin.is_valid(compact):
        raise ValidationError(
            _("%(value)s is not a valid VAT number for %(country)s."),
            code="vat_invalid",
            params={"value": value, "country": prefix},
        )
    return compact


def normalise_fiscal_code(value: str, country: str) -> str:
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if not compact or (country or "").upper() != "IT":
        return compact
    if len(compact) == 11 and compact.isdigit():
        valid = iva.is_valid(compact)
    else:
        valid = codicefiscale.is_valid(compact)
    if not valid:
        raise ValidationError(
            _(
                "%(value)s is not a valid Italian fiscal code (16 characters for a person, "
                "11 digits for a company)."
            ),
            code="fiscal_code_invalid",
            params={"value": value},
        )
    return compact


def normalise_phone(value: str, country: str = "IT") -> str:
    """Return the number in international format (``+39 02 1234 5678``)."""
    value = (value or "").strip()
    if not value:
        return ""
    region = (country or "IT").upper()
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "%(value)s is not a valid phone number. Include the country code for numbers "
                "abroad, e.g. +49 30 123456."
            ),
            code="phone_invalid",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_uri(value: str) -> str:
    """``tel:`` link target for a stored number (E.164, no spaces)."""
    digits = "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if digits else ""


EXTERNAL_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def validate_external_code(value: str) -> None:
    """ERP codes travel in URLs (``/api/v1/customers/by-code/<code>/``): keep them URL-safe."""
    if value and not EXTERNAL_CODE_RE.match(value):
        raise ValidationError(
            _(
                "%(value)s is not a valid external code: use up to 64 letters, digits and "
                ". _ : - (starting with a letter or digit)."
            ),
            code="external_code_invalid",
            params={"value": value[:80]},
        )
