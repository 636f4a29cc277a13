"""The FatturaPA 1.2.2 file of one issued invoice (TD01) or credit note (TD04).

Everything comes from the invoice as it was frozen at issue time: the customer columns
(``customer_*``), the seller JSON (the company profile on the day of issue) and the lines with
their VAT rate, nature and legal reference. Nothing is read from the live customer or profile.

The Agenzia's rules beyond the schema (technical specifications 1.9) that the file obeys:

- one ``DatiRiepilogo`` per (rate, nature) group; its ``ImponibileImporto`` is the sum of the
  group's ``PrezzoTotale`` and its ``Imposta`` the taxable amount times the rate, rounded to the
  cent once per summary; ``Natura`` appears exactly when the rate is 0.00;
- ``PrezzoTotale`` equals ``PrezzoUnitario`` x ``Quantita`` (less a discount): a line whose
  frozen amount is not quantity x price (a warranty line at zero) carries a 100 % discount;
- a credit note is TD04 with positive amounts and ``DatiFattureCollegate`` naming the invoice it
  credits;
- ``CodiceDestinatario`` is the frozen SDI code: 7 characters (``0000000`` with the PEC in
  ``PECDestinatario``, ``XXXXXXX`` abroad), 6 for a public administration (FPA12);
- a customer abroad has its VAT identifier with its country, postal code ``00000`` and its
  country in ``Nazione``;
- ``ProgressivoInvio`` and the file name's progressive are the invoice's primary key in base 36
  on 5 characters: unique, at most 5 letters or digits as the SDI's naming rule asks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

from customers.fiscal import SDI_FOREIGN, SDI_NONE
from invoicing.models import Invoice, InvoiceKind, InvoiceLine
from service_portal.errors import DomainError
from service_portal.money import money, vat_of

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FPR12, FPA12 = "FPR12", "FPA12"
TD01, TD04 = "TD01", "TD04"
ZERO = Decimal("0.00")
# A customer abroad without a VAT identifier: the code the Agenzia's guidance gives for it.
NO_FOREIGN_ID = "99999999999"
FOREIGN_CAP = "00000"
PROGRESSIVE_LENGTH = 5
_DIGITS36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Characters outside ISO 8859-1 that have an obvious plain equivalent.
_PLAIN = str.maketrans(
    {"€": "EUR", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-"}
)
_PLACE_IT = re.compile(r"^(?P<cap>\d{5})\s+(?P<city>.+?)(?:\s+\((?P<province>[A-Z]{2})\))?$")


class FatturaPAError(DomainError):
    """The invoice cannot become a valid FatturaPA file; the message says why, translated."""


def progressive(invoice: Invoice) -> str:
    """The invoice's progressive: its primary key in base 36, 5 characters (60 million files)."""
    value, digits = invoice.pk, ""
    while value:
        value, digit = divmod(value, 36)
        digits = _DIGITS36[digit] + digits
    return digits.rjust(PROGRESSIVE_LENGTH, "0")


def _seller_vat(invoice: Invoice) -> tuple[str, str]:
    vat = (invoice.seller or {}).get("vat_number", "")
    if len(vat) < 3 or not vat[:2].isalpha():
        raise FatturaPAError(
            _(
                "%(code)s has no seller VAT number frozen (it was issued before the company "
                "profile was filled in): no FatturaPA file can be made for it."
            )
            % {"code": invoice.code}
        )
    return vat[:2], vat[2:]


def filename(invoice: Invoice) -> str:
    """``IT<seller VAT>_<progressive>.xml``, the name the SDI expects."""
    country, code = _seller_vat(invoice)
    return f"{country}{code}_{progressive(invoice)}.xml"


def latin(text: str, limit: int) -> str:
    """``text`` on one line, in the characters the schema's "Latin" strings allow (ISO 8859-1),
    cut at ``limit``."""
    text = " ".join(str(text).translate(_PLAIN).split())
    kept = []
    for char in text:
        if ord(char) <= 0xFF:
            kept.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        kept.append(plain or "?")
    return "".join(kept)[:limit].strip()


def _basic(text: str, limit: int) -> str:
    """Basic Latin (ASCII) only, for the schema's plain strings."""
    return latin(text, limit).encode("ascii", "replace").decode("ascii")


def _amount(value: Decimal) -> str:
    return f"{money(value):.2f}"


def _price(value: Decimal) -> str:
    """Up to 8 decimals, at least 2 (the schema's Amount8Decimal)."""
    text = f"{Decimal(value).quantize(Decimal('0.00000001')).normalize():f}"
    whole, _dot, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def _rate(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


# --- Lines and summaries ------------------------------------------------------------------------
@dataclass
class Row:
    """One ``DettaglioLinee``: positive amounts on a credit note, quantity x price = total."""

    number: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    total: Decimal
    rate: Decimal
    natura: str
    reference: str
    full_discount: bool = False


@dataclass
class Summary:
    """One ``DatiRiepilogo``: a (rate, nature) group of rows."""

    rate: Decimal
    natura: str
    reference: str = ""
    taxable: Decimal = ZERO
    rows: list[Row] = field(default_factory=list)

    @property
    def tax(self) -> Decimal:
        return vat_of(self.taxable, self.rate)


def _description(line: InvoiceLine) -> str:
    text = line.description
    if line.note:
        text = f"{text} ({line.note})"
    if line.reference:
        text = f"{text} - {line.reference}"
    return latin(text, 1000)


def _credited_natures(invoice: Invoice) -> dict[int, InvoiceLine]:
    """A credit note repeats its invoice's lines at the same positions: what the credited line
    froze (nature, legal reference) stands for a copy that did not keep it."""
    if invoice.kind != InvoiceKind.CREDIT_NOTE or invoice.credited is None:
        return {}
    return {line.position: line for line in invoice.credited.lines.all()}


def rows(invoice: Invoice) -> list[Row]:
    sign = Decimal(-1) if invoice.kind == InvoiceKind.CREDIT_NOTE else Decimal(1)
    credited = _credited_natures(invoice)
    result = []
    for number, line in enumerate(invoice.lines.all(), start=1):
        natura, reference = line.vat_natura, line.vat_reference
        original = credited.get(line.position)
        if original is not None and not natura:
            natura, reference = original.vat_natura, reference or original.vat_reference
        rate = Decimal(line.vat_rate)
        if rate == 0 and not natura:
            raise FatturaPAError(
                _(
                    "Line %(number)s of %(code)s is at 0 %% VAT without its nature (N1...N7): "
                    "no FatturaPA file can be made for it."
                )
                % {"number": number, "code": invoice.code}
            )
        total = money(line.amount * sign)
        quantity = abs(Decimal(line.quantity))
        unit_price = abs(Decimal(line.unit_price)) * (-1 if total < 0 else 1)
        full_discount = total == 0 and money(quantity * unit_price) != 0
        if not full_discount and money(quantity * unit_price) != total:
            quantity, unit_price = Decimal(1), total
        result.append(
            Row(
                number=number,
                description=_description(line),
                quantity=quantity,
                unit_price=unit_price,
                total=total,
                rate=rate,
                natura=natura if rate == 0 else "",
                reference=reference if rate == 0 else "",
                full_discount=full_discount,
            )
        )
    return result


def summaries(items: Iterable[Row]) -> list[Summary]:
    """One summary per (rate, nature), in the order of rate then nature."""
    groups: dict[tuple[Decimal, str], Summary] = {}
    for row in items:
        summary = groups.setdefault((row.rate, row.natura), Summary(row.rate, row.natura))
        summary.taxable += row.total
        summary.reference = summary.reference or row.reference
        summary.rows.append(row)
    return [groups[key] for key in sorted(groups, key=lambda k: (-k[0], k[1]))]


# --- The document -------------------------------------------------------------------------------
def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _optional(parent: etree._Element, tag: str, text: str) -> None:
    if text:
        _sub(parent, tag, text)


def _id(parent: etree._Element, tag: str, country: str, code: str) -> None:
    element = _sub(parent, tag)
    _sub(element, "IdPaese", country)
    _sub(element, "IdCodice", _basic(code, 28))


def _is_pa(invoice: Invoice) -> bool:
    return invoice.customer_is_public_administration


def _transmission(header: etree._Element, invoice: Invoice) -> None:
    data = _sub(header, "DatiTrasmissione")
    _id(data, "IdTrasmittente", *_seller_vat(invoice))
    _sub(data, "ProgressivoInvio", progressive(invoice))
    _sub(data, "FormatoTrasmissione", FPA12 if _is_pa(invoice) else FPR12)
    foreign = invoice.customer_country not in ("", "IT")
    code = invoice.customer_sdi_code or (SDI_FOREIGN if foreign else SDI_NONE)
    _sub(data, "CodiceDestinatario", code)
    if code == SDI_NONE and invoice.customer_pec:
        _sub(data, "PECDestinatario", invoice.customer_pec)


def _phone(value: str) -> str:
    """The schema takes 5 to 12 characters: spaces go, then the Italian prefix if needed."""
    compact = "".join(value.split())
    if len(compact) > 12:
        compact = compact.removeprefix("+39").removeprefix("0039")
    return compact if 5 <= len(compact) <= 12 else ""


def _seller(header: etree._Element, invoice: Invoice) -> None:
    seller = invoice.seller
    party = _sub(header, "CedentePrestatore")
    data = _sub(party, "DatiAnagrafici")
    _id(data, "IdFiscaleIVA", *_seller_vat(invoice))
    _optional(data, "CodiceFiscale", seller.get("fiscal_code", ""))
    _sub(_sub(data, "Anagrafica"), "Denominazione", latin(seller.get("legal_name", ""), 80))
    _sub(data, "RegimeFiscale", seller.get("tax_regime") or "RF01")
    place = _sub(party, "Sede")
    _sub(place, "Indirizzo", latin(seller.get("address", ""), 60))
    _sub(place, "CAP", seller.get("postal_code", ""))
    _sub(place, "Comune", latin(seller.get("city", ""), 60))
    _optional(place, "Provincia", seller.get("province", ""))
    _sub(place, "Nazione", "IT")
    if seller.get("rea_office") and seller.get("rea_number"):
        rea = _sub(party, "IscrizioneREA")
        _sub(rea, "Ufficio", seller["rea_office"])
        _sub(rea, "NumeroREA", _basic(seller["rea_number"], 20))
        if seller.get("share_capital"):
            _sub(rea, "CapitaleSociale", _amount(Decimal(seller["share_capital"])))
            _sub(rea, "SocioUnico", "SU" if seller.get("sole_shareholder") else "SM")
        _sub(rea, "StatoLiquidazione", "LS" if seller.get("in_liquidation") else "LN")
    phone, email = _phone(seller.get("phone", "")), seller.get("email", "")
    if phone or email:
        contacts = _sub(party, "Contatti")
        _optional(contacts, "Telefono", phone)
        _optional(contacts, "Email", email)


def _customer_address(invoice: Invoice) -> tuple[str, str, str, str]:
    """(street, CAP, town, province) from the frozen address: the street on the first lines,
    "CAP town (PR)" on the last (``services._freeze_customer``)."""
    lines = [line.strip() for line in invoice.customer_address.splitlines() if line.strip()]
    if len(lines) < 2:
        raise FatturaPAError(
            _("%(code)s has no complete customer address frozen: no FatturaPA file can be made.")
            % {"code": invoice.code}
        )
    street, place = ", ".join(lines[:-1]), lines[-1]
    if invoice.customer_country in ("", "IT"):
        match = _PLACE_IT.match(place)
        if match is None:
            raise FatturaPAError(
                _("%(code)s has no Italian postal code in the customer's address.")
                % {"code": invoice.code}
            )
        return street, match["cap"], match["city"], match["province"] or ""
    return street, FOREIGN_CAP, place, ""


def _customer(header: etree._Element, invoice: Invoice) -> None:
    country = invoice.customer_country or "IT"
    party = _sub(header, "CessionarioCommittente")
    data = _sub(party, "DatiAnagrafici")
    vat = invoice.customer_vat_number
    if vat:
        prefix = vat[:2] if vat[:2].isalpha() else ""
        _id(data, "IdFiscaleIVA", prefix or country, vat[len(prefix) :])
    elif country != "IT":
        _id(data, "IdFiscaleIVA", country, NO_FOREIGN_ID)
    if country == "IT" and re.fullmatch(r"[A-Z0-9]{11,16}", invoice.customer_fiscal_code):
        _sub(data, "CodiceFiscale", invoice.customer_fiscal_code)
    if not vat and country == "IT" and not invoice.customer_fiscal_code:
        raise FatturaPAError(
            _("%(code)s has neither the customer's VAT number nor fiscal code frozen.")
            % {"code": invoice.code}
        )
    _sub(_sub(data, "Anagrafica"), "Denominazione", latin(invoice.customer_name, 80))
    street, cap, town, province = _customer_address(invoice)
    place = _sub(party, "Sede")
    _sub(place, "Indirizzo", latin(street, 60))
    _sub(place, "CAP", cap)
    _sub(place, "Comune", latin(town, 60))
    _optional(place, "Provincia", province)
    _sub(place, "Nazione", country)


def _general(body: etree._Element, invoice: Invoice, total: Decimal) -> None:
    assert invoice.issue_date is not None and invoice.code  # checked by ``tree``
    general = _sub(body, "DatiGenerali")
    document = _sub(general, "DatiGeneraliDocumento")
    is_credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    _sub(document, "TipoDocumento", TD04 if is_credit else TD01)
    _sub(document, "Divisa", "EUR")
    _sub(document, "Data", invoice.issue_date.isoformat())
    _sub(document, "Numero", _basic(invoice.code, 20))
    if invoice.stamp_duty > 0:
        stamp = _sub(document, "DatiBollo")
        _sub(stamp, "BolloVirtuale", "SI")
        _sub(stamp, "ImportoBollo", _amount(invoice.stamp_duty))
    _sub(document, "ImportoTotaleDocumento", _amount(total))
    reason = latin(invoice.reason, 1000) if is_credit else ""
    for start in range(0, len(reason), 200):
        _optional(document, "Causale", reason[start : start + 200].strip())
    if is_credit and invoice.credited is not None:
        linked = _sub(general, "DatiFattureCollegate")
        _sub(linked, "IdDocumento", _basic(invoice.credited.code or "", 20))
        if invoice.credited.issue_date:
            _sub(linked, "Data", invoice.credited.issue_date.isoformat())


def _goods_and_services(body: etree._Element, invoice: Invoice, groups: list[Summary]) -> None:
    data = _sub(body, "DatiBeniServizi")
    for row in sorted((row for group in groups for row in group.rows), key=lambda r: r.number):
        line = _sub(data, "DettaglioLinee")
        _sub(line, "NumeroLinea", str(row.number))
        _sub(line, "Descrizione", row.description or "-")
        _sub(line, "Quantita", _price(row.quantity))
        _sub(line, "PrezzoUnitario", _price(row.unit_price))
        if row.full_discount:
            discount = _sub(line, "ScontoMaggiorazione")
            _sub(discount, "Tipo", "SC")
            _sub(discount, "Percentuale", "100.00")
        _sub(line, "PrezzoTotale", _price(row.total))
        _sub(line, "AliquotaIVA", _rate(row.rate))
        _optional(line, "Natura", row.natura)
    for group in groups:
        summary = _sub(data, "DatiRiepilogo")
        _sub(summary, "AliquotaIVA", _rate(group.rate))
        _optional(summary, "Natura", group.natura)
        _sub(summary, "ImponibileImporto", _amount(group.taxable))
        _sub(summary, "Imposta", _amount(group.tax))
        if group.rate > 0:
            _sub(summary, "EsigibilitaIVA", "S" if invoice.split_payment else "I")
        _optional(summary, "RiferimentoNormativo", latin(group.reference, 100))


def _payment(body: etree._Element, invoice: Invoice, total: Decimal, tax: Decimal) -> None:
    """Bank transfer of the whole amount to the frozen IBAN (an invoice only); with split
    payment the customer pays the taxable amount and the VAT goes to the State."""
    seller = invoice.seller
    iban = "".join(seller.get("iban", "").split())
    if invoice.kind != InvoiceKind.INVOICE or not iban:
        return
    payment = _sub(body, "DatiPagamento")
    _sub(payment, "CondizioniPagamento", "TP02")
    detail = _sub(payment, "DettaglioPagamento")
    _sub(detail, "ModalitaPagamento", "MP05")
    due = total - tax if invoice.split_payment else total
    _sub(detail, "ImportoPagamento", _amount(due))
    _optional(detail, "IstitutoFinanziario", latin(seller.get("bank_name", ""), 80))
    _sub(detail, "IBAN", iban)
    bic = seller.get("bic", "")
    if re.fullmatch(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?", bic):
        _sub(detail, "BIC", bic)


def tree(invoice: Invoice) -> etree._Element:
    """The document as an element tree (``document`` serialises and validates it)."""
    if not invoice.is_issued or not invoice.code or invoice.issue_date is None:
        raise FatturaPAError(_("Only an issued invoice or credit note has a FatturaPA file."))
    groups = summaries(rows(invoice))
    if not groups:
        raise FatturaPAError(_("%(code)s has no lines.") % {"code": invoice.code})
    tax = sum((group.tax for group in groups), ZERO)
    total = sum((group.taxable for group in groups), ZERO) + tax
    # The stamp duty is in the total when the customer was charged for it.
    if abs(invoice.total) == total + invoice.stamp_duty:
        total = abs(invoice.total)
    root = etree.Element(
        f"{{{NAMESPACE}}}FatturaElettronica",
        nsmap={"p": NAMESPACE, "ds": DSIG, "xsi": XSI},
        versione=FPA12 if _is_pa(invoice) else FPR12,
    )
    header = _sub(root, "FatturaElettronicaHeader")
    _transmission(header, invoice)
    _seller(header, invoice)
    _customer(header, invoice)
    body = _sub(root, "FatturaElettronicaBody")
    _general(body, invoice, total)
    _goods_and_services(body, invoice, groups)
    _payment(body, invoice, total, tax)
    return root


def document(invoice: Invoice) -> bytes:
    """The FatturaPA file of an issued invoice or credit note, validated against the official
    schema; an invalid file is refused (``FatturaPAError``), never returned."""
    from invoicing.fatturapa import schema

    xml = etree.tostring(tree(invoice), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problems = schema.errors(xml)
    if problems:
        raise FatturaPAError(
            _("The FatturaPA file of %(code)s does not pass the official schema: %(errors)s")
            % {"code": invoice.code, "errors": "; ".join(problems[:3])}
        )
    return xml
