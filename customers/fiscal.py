"""A customer's fiscal data: its checks on save and what the law requires before invoicing.

``fiscal_errors`` keeps the data coherent when a customer is saved (the SDI code's shape, the
regime against the country and the VAT number). ``missing_for_invoice`` lists what an invoice
to this customer needs and is still missing (art. 21 DPR 633/72 and the FatturaPA rules): the
invoicing service refuses to issue, before any number is taken, while the list is not empty.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.validators import EU_VAT_COUNTRIES


class VatRegime(models.TextChoices):
    """How the customer is invoiced (``customers.fiscal.missing_for_invoice`` checks the data)."""

    ITALIAN = "italian", gettext_lazy("Italian business")
    EU_BUSINESS = "eu_business", gettext_lazy("EU business (reverse charge)")
    NON_EU = "non_eu", gettext_lazy("Outside the EU")
    PRIVATE = "private", gettext_lazy("Private person")


SDI_NONE = "0000000"  # no code: the invoice reaches the customer by PEC or in their tax drawer
SDI_FOREIGN = "XXXXXXX"  # customers outside Italy


SDI_CODE_RE = re.compile(r"^[A-Z0-9]{7}$")
PA_OFFICE_CODE_RE = re.compile(r"^[A-Z0-9]{6}$")
EU_COUNTRIES = (EU_VAT_COUNTRIES - {"EL", "XI"}) | {"GR"}


def fiscal_errors(customer: Any) -> dict[str, Any]:
    """Errors by field of a ``customers.models.Customer`` about to be saved."""
    errors: dict[str, Any] = {}
    customer.sdi_code = "".join(customer.sdi_code.split()).upper()
    code = customer.sdi_code
    country = (customer.country or "").upper()
    if code:
        if customer.is_public_administration:
            if not PA_OFFICE_CODE_RE.match(code):
                errors["sdi_code"] = ValidationError(
                    _("A public administration's office code has 6 letters or digits."),
                    code="sdi_pa",
                )
        elif not SDI_CODE_RE.match(code):
            errors["sdi_code"] = ValidationError(
                _("The SDI recipient code has 7 letters or digits (0000000 if there is none)."),
                code="sdi_format",
            )
        elif code == SDI_FOREIGN and country == "IT":
            errors["sdi_code"] = ValidationError(
                _("XXXXXXX is for customers abroad; this customer is in Italy."),
                code="sdi_foreign",
            )
    regime = customer.vat_regime
    if regime == VatRegime.ITALIAN and country and country != "IT":
        errors["vat_regime"] = ValidationError(
            _("An Italian business has its address in Italy."), code="regime_country"
        )
    elif regime == VatRegime.EU_BUSINESS and country not in EU_COUNTRIES - {"IT"}:
        errors["vat_regime"] = ValidationError(
            _("An EU business has its address in an EU country other than Italy."),
            code="regime_country",
        )
    elif regime == VatRegime.NON_EU and (country == "IT" or country in EU_COUNTRIES):
        errors["vat_regime"] = ValidationError(
            _("A customer outside the EU has its address outside the EU."),
            code="regime_country",
        )
    if customer.is_public_administration and regime != VatRegime.ITALIAN:
        errors["is_public_administration"] = ValidationError(
            _("Only an Italian customer can be a public administration."), code="pa_regime"
        )
    return errors


# What may be missing, as the message names it (translated when the message is shown).
REQUIRED_LABELS = {
    "address": gettext_lazy("address"),
    "postal_code": gettext_lazy("postal code"),
    "city": gettext_lazy("city"),
    "vat_number": gettext_lazy("VAT number"),
    "fiscal_code": gettext_lazy("fiscal code"),
    "sdi_code": gettext_lazy("SDI recipient code"),
    "sdi_or_pec": gettext_lazy("SDI recipient code or PEC"),
}


def missing_for_invoice(customer: Any) -> list[str]:
    """The names of the fields an invoice to ``customer`` requires and that are blank."""
    missing = [name for name in ("address", "city") if not getattr(customer, name)]
    country = (customer.country or "").upper()
    if country == "IT" and not customer.postal_code:
        missing.insert(1, "postal_code")
    regime = customer.vat_regime
    if customer.is_public_administration:
        if not customer.fiscal_code:
            missing.append("fiscal_code")
        if not customer.sdi_code:
            missing.append("sdi_code")
    elif regime == VatRegime.ITALIAN:
        if not customer.vat_number:
            missing.append("vat_number")
        if not customer.sdi_code and not customer.pec:
            missing.append("sdi_or_pec")
    elif regime == VatRegime.EU_BUSINESS:
        if not customer.vat_number:
            missing.append("vat_number")
    elif regime == VatRegime.PRIVATE and country == "IT" and not customer.fiscal_code:
        missing.append("fiscal_code")
    return missing


def missing_labels(missing: list[str]) -> list[str]:
    return [str(REQUIRED_LABELS[name]) for name in missing]
