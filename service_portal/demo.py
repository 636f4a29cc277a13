"""The demo company that sends the documents (a realistic Italian S.r.l.; fictitious numbers
that pass the checks)."""

from __future__ import annotations

from pathlib import Path

from django.core.files.base import ContentFile

from service_portal.i18n import translations
from service_portal.models import CompanyProfile, TaxRegime

DEMO_LOGO = Path(__file__).resolve().parent / "static" / "favicon.svg"


def seed(*, scale: int, progress) -> None:
    if CompanyProfile.objects.exists():
        return
    profile = CompanyProfile(
        legal_name="Tecnoservice Lombarda S.r.l.",
        address="Via dell'Industria 24",
        postal_code="20090",
        city="Segrate",
        province="MI",
        vat_number="IT02839470156",
        fiscal_code="02839470156",
        rea_office="MI",
        rea_number="1623457",
        share_capital="50000.00",
        sole_shareholder=False,
        in_liquidation=False,
        tax_regime=TaxRegime.RF01,
        pec="tecnoservice.lombarda@pec.example.it",
        phone="+39 02 2134 5678",
        email="amministrazione@tecnoservice.example.it",
        website="https://www.tecnoservice.example.it",
        bank_name="Banca Popolare di Sondrio",
        iban="IT60X0542811101000000123456",
        bic="POSOIT22XXX",
        invoice_series="SP",
        accent_colour="#1f4e79",
        **translations(
            "payment_terms",
            {
                "it": "Bonifico bancario a 30 giorni data fattura",
                "en": "Bank transfer, 30 days from the invoice date",
                "de": "Banküberweisung, 30 Tage ab Rechnungsdatum",
                "fr": "Virement bancaire à 30 jours date de facture",
                "es": "Transferencia bancaria a 30 días fecha factura",
            },
        ),
        **translations(
            "footer_text",
            {
                "it": "Assistenza tecnica: assistenza@tecnoservice.example.it · +39 02 2134 5600",
                "en": "Service desk: assistenza@tecnoservice.example.it · +39 02 2134 5600",
                "de": "Kundendienst: assistenza@tecnoservice.example.it · +39 02 2134 5600",
                "fr": "Service après-vente : assistenza@tecnoservice.example.it · +39 02 2134 5600",
                "es": "Servicio técnico: assistenza@tecnoservice.example.it · +39 02 2134 5600",
            },
        ),
    )
    if DEMO_LOGO.is_file():
        profile.logo = ContentFile(DEMO_LOGO.read_bytes(), name="logo.svg")
    profile.full_clean()
    profile.save()
    progress.step("company profile", 1, 1)
