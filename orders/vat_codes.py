"""The standard VAT codes: the Italian rates and the 0 % codes the invoicing rules choose.

The data migration ``orders/0009_vat_codes`` creates them (without touching a code the ERP or
an administrator already made); administrators then edit names and references in the admin.
``invoicing.vat`` picks them by code, and falls back to this table for a code that is missing
(so billing never depends on a row someone deleted). Texts are in the portal's languages, in
the order of ``settings.LANGUAGES``: it, en, de, fr, es.
"""

from __future__ import annotations

from typing import NamedTuple


class StandardCode(NamedTuple):
    code: str
    rate: str
    natura: str
    names: tuple[str, str, str, str, str]
    references: tuple[str, str, str, str, str] = ("", "", "", "", "")


# The codes the rules of invoicing.vat refer to.
EU_SERVICES = "N2.1-UE"
NON_EU_SERVICES = "N2.1-EXTRA"
EU_GOODS = "N3.2"
EXPORT_GOODS = "N3.1"
STAMP_DUTY = "N1-BOLLO"

STANDARD: tuple[StandardCode, ...] = (
    StandardCode("22", "22", "", ("IVA 22%", "VAT 22%", "MwSt. 22 %", "TVA 22 %", "IVA 22 %")),
    StandardCode("10", "10", "", ("IVA 10%", "VAT 10%", "MwSt. 10 %", "TVA 10 %", "IVA 10 %")),
    StandardCode("5", "5", "", ("IVA 5%", "VAT 5%", "MwSt. 5 %", "TVA 5 %", "IVA 5 %")),
    StandardCode("4", "4", "", ("IVA 4%", "VAT 4%", "MwSt. 4 %", "TVA 4 %", "IVA 4 %")),
    StandardCode(
        EU_SERVICES,
        "0",
        "N2.1",
        (
            "Non soggetta art. 7-ter (UE, inversione contabile)",
            "Not subject, art. 7-ter (EU, reverse charge)",
            "Nicht steuerbar, Art. 7-ter (EU, Reverse Charge)",
            "Non soumis, art. 7-ter (UE, autoliquidation)",
            "No sujeto, art. 7-ter (UE, inversión del sujeto pasivo)",
        ),
        (
            "Operazione non soggetta a IVA ai sensi dell'art. 7-ter DPR 633/72 - "
            "inversione contabile",
            "Not subject to Italian VAT under art. 7-ter DPR 633/72 - reverse charge",
            "Nicht steuerbar gemäß Art. 7-ter DPR 633/72 - Steuerschuldnerschaft des "
            "Leistungsempfängers (Reverse Charge)",
            "Opération non soumise à la TVA italienne, art. 7-ter DPR 633/72 - autoliquidation",
            "Operación no sujeta al IVA italiano, art. 7-ter DPR 633/72 - inversión del "
            "sujeto pasivo",
        ),
    ),
    StandardCode(
        NON_EU_SERVICES,
        "0",
        "N2.1",
        (
            "Non soggetta art. 7-ter (extra UE)",
            "Not subject, art. 7-ter (outside the EU)",
            "Nicht steuerbar, Art. 7-ter (außerhalb der EU)",
            "Non soumis, art. 7-ter (hors UE)",
            "No sujeto, art. 7-ter (fuera de la UE)",
        ),
        (
            "Operazione non soggetta a IVA ai sensi dell'art. 7-ter DPR 633/72",
            "Not subject to Italian VAT under art. 7-ter DPR 633/72",
            "Nicht steuerbar gemäß Art. 7-ter DPR 633/72",
            "Opération non soumise à la TVA italienne, art. 7-ter DPR 633/72",
            "Operación no sujeta al IVA italiano, art. 7-ter DPR 633/72",
        ),
    ),
    StandardCode(
        EU_GOODS,
        "0",
        "N3.2",
        (
            "Non imponibile art. 41 (cessione intracomunitaria)",
            "Not taxable, art. 41 (intra-EU supply)",
            "Steuerfrei, Art. 41 (innergemeinschaftliche Lieferung)",
            "Exonéré, art. 41 (livraison intracommunautaire)",
            "Exento, art. 41 (entrega intracomunitaria)",
        ),
        (
            "Cessione intracomunitaria non imponibile ai sensi dell'art. 41 DL 331/1993",
            "Intra-community supply not taxable under art. 41 DL 331/1993",
            "Steuerfreie innergemeinschaftliche Lieferung gemäß Art. 41 DL 331/1993",
            "Livraison intracommunautaire exonérée, art. 41 DL 331/1993",
            "Entrega intracomunitaria exenta, art. 41 DL 331/1993",
        ),
    ),
    StandardCode(
        EXPORT_GOODS,
        "0",
        "N3.1",
        (
            "Non imponibile art. 8 (esportazione)",
            "Not taxable, art. 8 (export)",
            "Steuerfreie Ausfuhr, Art. 8",
            "Exonéré, art. 8 (exportation)",
            "Exento, art. 8 (exportación)",
        ),
        (
            "Non imponibile ai sensi dell'art. 8, comma 1, lett. a) DPR 633/72 - esportazione",
            "Not taxable under art. 8(1)(a) DPR 633/72 - export",
            "Steuerfrei gemäß Art. 8 Abs. 1 Buchst. a) DPR 633/72 - Ausfuhr",
            "Exonéré, art. 8, al. 1, let. a) DPR 633/72 - exportation",
            "Exento, art. 8, apdo. 1, letra a) DPR 633/72 - exportación",
        ),
    ),
    StandardCode(
        STAMP_DUTY,
        "0",
        "N1",
        (
            "Escluso art. 15 (rimborso bollo)",
            "Excluded, art. 15 (stamp duty recharged)",
            "Ausgeschlossen, Art. 15 (Stempelsteuer)",
            "Exclu, art. 15 (droit de timbre)",
            "Excluido, art. 15 (impuesto de timbre)",
        ),
        (
            "Imposta di bollo assolta in modo virtuale, esclusa ai sensi dell'art. 15 DPR 633/72",
            "Stamp duty paid virtually, excluded from VAT under art. 15 DPR 633/72",
            "Stempelsteuer virtuell entrichtet, gemäß Art. 15 DPR 633/72 nicht steuerbar",
            "Droit de timbre acquitté virtuellement, exclu de la TVA, art. 15 DPR 633/72",
            "Impuesto de timbre pagado virtualmente, excluido del IVA, art. 15 DPR 633/72",
        ),
    ),
)


def standard(code: str) -> StandardCode | None:
    return next((item for item in STANDARD if item.code == code), None)
