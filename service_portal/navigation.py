"""The navigation bar: each role sees only the entries it may use.

Apps add their entries here when they gain pages; the permission checks themselves live in the
views, this only keeps the menu honest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

ALL = frozenset(Role.values)
STAFF = frozenset({Role.ADMINISTRATOR, Role.OPERATOR})
ADMIN = frozenset({Role.ADMINISTRATOR})


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    icon: str = ""
    group: str | Promise = ""


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Customers"), "customers:customer_list", ALL, "building", _("Installed base")),
    NavItem(_("Sites"), "customers:site_list", ALL, "geo-alt", _("Installed base")),
    NavItem(_("Contacts"), "customers:contact_list", ALL, "person-lines-fill", _("Installed base")),
    NavItem(_("Units"), "customers:unit_list", ALL, "upc-scan", _("Installed base")),
    NavItem(_("Products"), "customers:product_list", ALL, "box-seam", _("Installed base")),
    NavItem(
        _("Import / export"), "customers:import", ADMIN, "arrow-left-right", _("Installed base")
    ),
    NavItem(_("Users"), "accounts:user_list", ADMIN, "people", _("Administration")),
    NavItem(
        _("Authentication log"), "accounts:audit_log", ADMIN, "shield-lock", _("Administration")
    ),
]

# Where each role lands after login; apps with a better start page replace their entry.
HOME_URL_NAMES: dict[str, str] = {
    Role.ADMINISTRATOR: "customers:customer_list",
    Role.OPERATOR: "customers:customer_list",
    Role.TECHNICIAN: "customers:unit_list",
}


def items_for(user: Any) -> list[dict[str, Any]]:
    """Menu entries grouped for the template: [{"label": group, "items": [...]}, ...]."""
    if not user.is_authenticated or user.must_onboard:
        return []
    groups: dict[str, dict[str, Any]] = {}
    for item in NAV_ITEMS:
        if user.role not in item.roles:
            continue
        key = str(item.group)
        entry = {"label": item.label, "url": reverse(item.url_name), "icon": item.icon}
        groups.setdefault(key, {"label": item.group, "items": []})["items"].append(entry)
    return list(groups.values())


def home_url_for(user: Any) -> str:
    return reverse(HOME_URL_NAMES.get(user.role, "customers:customer_list"))
