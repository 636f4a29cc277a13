"""Checks of the company profile's data: Italian VAT number and fiscal code, IBAN and BIC (with
python-stdnum), the logo's content (PNG or a plain SVG) and the accent colour's contrast.

The customers' VAT numbers of every EU country are checked in ``customers.validators``; the
company issuing the documents is Italian (FatturaPA, REA, tax regime), so its numbers are
checked as Italian ones here, below every app.
"""

from __future__ import annotations

import io
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import bic, iban
from stdnum.it import codicefiscale, iva

LOGO_MAX_BYTES = 512 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# What a logo needs; anything else (scripts, event handlers, embedded HTML, links to other
# files or sites) is refused, because the portal serves the file from its own address.
SVG_ALLOWED_TAGS = {
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "use",
    "symbol",
    "style",
    "metadata",
}
MIN_CONTRAST = 4.5  # WCAG 2.x AA for normal text
HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _compact(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def normalise_company_vat(value: str) -> str:
    """An Italian VAT number (partita IVA) as ``IT`` + 11 digits."""
    compact = _compact(value).removeprefix("IT")
    if not compact:
        return ""
    if not iva.is_valid(compact):
        raise ValidationError(
            _("%(value)s is not a valid Italian VAT number (11 digits)."),
            code="vat_invalid",
            params={"value": value},
        )
    return "IT" + compact


def normalise_company_fiscal_code(value: str) -> str:
    """A company's 11 digits or a sole trader's 16-character fiscal code."""
    compact = _compact(value)
    if not compact:
        return ""
    valid = (
        iva.is_valid(compact)
        if len(compact) == 11 and compact.isdigit()
        else codicefiscale.is_valid(compact)
    )
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


def normalise_iban(value: str) -> str:
    compact = _compact(value)
    if not compact:
        return ""
    if not iban.is_valid(compact):
        raise ValidationError(
            _("%(value)s is not a valid IBAN."), code="iban_invalid", params={"value": value}
        )
    return compact


def format_iban(value: str) -> str:
    """``IT60 X054 2811 1010 0000 0123 456``: the IBAN in groups of four, as printed."""
    return iban.format(value) if value else ""


def normalise_bic(value: str) -> str:
    compact = _compact(value)
    if not compact:
        return ""
    if not bic.is_valid(compact):
        raise ValidationError(
            _("%(value)s is not a valid BIC (SWIFT code)."),
            code="bic_invalid",
            params={"value": value},
        )
    return compact


def logo_kind(content: bytes) -> str:
    """``"png"`` or ``"svg"`` from the file's content (not its name); ValidationError otherwise."""
    if len(content) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is larger than %(size)s KB.") % {"size": LOGO_MAX_BYTES // 1024},
            code="logo_too_large",
        )
    if content.startswith(PNG_SIGNATURE):
        _check_png(content)
        return "png"
    _check_svg(content)
    return "svg"


def _not_a_logo() -> ValidationError:
    return ValidationError(
        _("The logo must be a PNG image or an SVG drawing without scripts or links."),
        code="logo_invalid",
    )


def _check_png(content: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            if image.format != "PNG":
                raise _not_a_logo()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _not_a_logo() from exc


def _check_svg(content: bytes) -> None:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _not_a_logo() from exc
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise _not_a_logo()
    if root.getroottree().docinfo.internalDTD is not None:
        raise _not_a_logo()
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            if isinstance(element, etree._ProcessingInstruction):
                raise _not_a_logo()
            continue
        namespace, _sep, tag = element.tag[1:].partition("}")
        if namespace != SVG_NAMESPACE or tag not in SVG_ALLOWED_TAGS:
            raise _not_a_logo()
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            lowered = value.strip().lower()
            if local.startswith("on"):
                raise _not_a_logo()
            if local == "href" and not lowered.startswith("#"):
                raise _not_a_logo()
            if "url(" in lowered and not re.fullmatch(r"url\(\s*#[\w.-]+\s*\)", lowered):
                raise _not_a_logo()
        if (
            tag == "style"
            and element.text
            and ("@import" in element.text or "url(" in element.text)
        ):
            raise _not_a_logo()


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_accent_colour(value: str) -> None:
    """The top bar's colour: ``#rrggbb`` with white text readable on it (AA, 4.5:1)."""
    if not value:
        return
    if not HEX_COLOUR_RE.match(value):
        raise ValidationError(
            _("Write the colour as # and six hexadecimal digits, e.g. #0b5ed7."),
            code="colour_format",
        )
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "White text on %(colour)s has a contrast of %(ratio)s:1, below the 4.5:1 that "
                "accessibility (WCAG AA) requires: choose a darker colour."
            ),
            code="colour_contrast",
            params={"colour": value, "ratio": f"{ratio:.1f}"},
        )
