from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The countries the company serves; extend as it grows (codes are ISO 3166-1 alpha-2).
COUNTRIES = [
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("CH", _("Switzerland")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DE", _("Germany")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("ES", _("Spain")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("GB", _("United Kingdom")),
    ("GR", _("Greece")),
    ("HR", _("Croatia")),
    ("HU", _("Hungary")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("LV", _("Latvia")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SE", _("Sweden")),
    ("SI", _("Slovenia")),
    ("SK", _("Slovakia")),
    ("SM", _("San Marino")),
    ("TR", _("Turkey")),
    ("US", _("United States")),
]

# Language -> COUNTRIES with the labels translated (country_choices).
_TRANSLATED: dict[str | None, list[tuple[str, str]]] = {}


def country_choices() -> list[tuple[str, str]]:
    """COUNTRIES with their labels in the active language, translated once per language.

    For the customer list's country filter, given as a callable: its form copies the choices
    and its select translates every label on each request otherwise (the catalogues do not
    change while the portal runs)."""
    language = get_language()
    choices = _TRANSLATED.get(language)
    if choices is None:
        choices = _TRANSLATED[language] = [(code, str(label)) for code, label in COUNTRIES]
    return choices
