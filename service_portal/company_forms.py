"""The company profile page's form (administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from service_portal.fiscal import logo_kind
from service_portal.forms import VersionedModelForm
from service_portal.i18n import localized_fields
from service_portal.models import CompanyProfile

TRANSLATED = ("payment_terms", "footer_text")


class CompanyProfileForm(VersionedModelForm):
    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = CompanyProfile
        fields = [
            "legal_name",
            "address",
            "postal_code",
            "city",
            "province",
            "vat_number",
            "fiscal_code",
            "rea_office",
            "rea_number",
            "share_capital",
            "sole_shareholder",
            "in_liquidation",
            "tax_regime",
            "pec",
            "phone",
            "email",
            "website",
            "logo",
            "bank_name",
            "iban",
            "bic",
            "default_payment_term",
            *localized_fields("payment_terms"),
            "invoice_series",
            *localized_fields("footer_text"),
            "accent_colour",
        ]
        widgets = {
            "logo": forms.ClearableFileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
            "accent_colour": forms.TextInput(attrs={"placeholder": "#0b5ed7"}),
            **{name: forms.Textarea(attrs={"rows": 2}) for name in localized_fields("footer_text")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        for field in TRANSLATED:
            base = CompanyProfile._meta.get_field(field)
            for code, name in names.items():
                form_field = self.fields.get(f"{field}_{code}")
                if form_field is not None:
                    form_field.label = _("%(field)s (%(language)s)") % {
                        "field": base.verbose_name,
                        "language": name,
                    }
                    form_field.help_text = base.help_text if code == "it" else ""
        # A retired term stays chosen where it is, offered to nobody else.
        term = self.fields["default_payment_term"]
        current = self.instance.default_payment_term_id
        term.queryset = term.queryset.filter(Q(is_active=True) | Q(pk=current))
        for name in ("province", "rea_office", "invoice_series"):
            self.fields[name].widget.attrs["class"] = "text-uppercase"

    def clean_province(self) -> str:
        return (self.cleaned_data.get("province") or "").upper()

    def clean_rea_office(self) -> str:
        return (self.cleaned_data.get("rea_office") or "").upper()

    def clean_invoice_series(self) -> str:
        return (self.cleaned_data.get("invoice_series") or "").upper()

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload
            logo.seek(0)
            logo_kind(logo.read())
            logo.seek(0)
        return logo
