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

from service_portal.links import url_context
from service_portal.roles import ADMINISTRATORS as ADMIN
from service_portal.roles import EVERYONE as ALL
from service_portal.roles import STAFF, TECHNICIANS, Role

OFFERS = _("Offers and orders")


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    icon: str = ""
    group: str | Promise = ""
    section: str | Promise = ""  # a heading inside the group's menu, shown above its first entry


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Dashboard"), "dashboard:home", STAFF, "speedometer2"),
    NavItem(_("My interventions"), "calls:my_interventions", TECHNICIANS, "wrench"),
    NavItem(_("Calls"), "calls:call_search", ALL, "telephone", _("Calls")),
    NavItem(_("New call"), "calls:call_create", STAFF, "telephone-plus", _("Calls")),
    NavItem(_("Solutions"), "calls:solutions", STAFF, "lightbulb", _("Calls")),
    NavItem(_("Maintenance due"), "calls:maintenance_due", STAFF, "calendar-check", _("Calls")),
    NavItem(_("Activity planner"), "planner:board", STAFF, "calendar-week", _("Planners")),
    NavItem(_("My calendar"), "planner:my_calendar", ALL - STAFF, "calendar3", _("Planners")),
    NavItem(_("Hours worked"), "planner:hours_month", ALL, "clock-history", _("Planners")),
    NavItem(_("Team hours"), "planner:team_hours", ADMIN, "people", _("Planners")),
    NavItem(_("Customers"), "customers:customer_list", ALL, "building", _("Installed base")),
    NavItem(_("Sites"), "customers:site_list", ALL, "geo-alt", _("Installed base")),
    NavItem(_("Contacts"), "customers:contact_list", ALL, "person-lines-fill", _("Installed base")),
    NavItem(_("Units"), "customers:unit_list", ALL, "upc-scan", _("Installed base")),
    NavItem(_("Products"), "customers:product_list", ALL, "box-seam", _("Installed base")),
    NavItem(
        _("Import / export"), "customers:import", ADMIN, "arrow-left-right", _("Installed base")
    ),
    NavItem(
        _("Service contracts"),
        "contracts:contract_list",
        ADMIN,
        "file-earmark-check",
        _("Installed base"),
    ),
    # Quotes (service work) and offers and orders (spare parts) share one "Sales" menu, with a
    # heading each: eight top-level menus do not fit a 1280 px screen in every language.
    NavItem(_("Quotes"), "quotes:quote_list", STAFF, "calculator", _("Sales"), _("Quotes")),
    NavItem(_("Price lists"), "quotes:pricelist_list", STAFF, "tags", _("Sales"), _("Quotes")),
    NavItem(_("New offer"), "orders:offer_create", STAFF, "cart-plus", _("Sales"), OFFERS),
    NavItem(_("Offers"), "orders:offer_list", STAFF, "file-earmark-text", _("Sales"), OFFERS),
    NavItem(_("Orders"), "orders:order_list", STAFF, "box-arrow-right", _("Sales"), OFFERS),
    NavItem(_("Spare parts"), "orders:sparepart_list", STAFF, "gear", _("Sales"), OFFERS),
    NavItem(_("Warehouses"), "stock:warehouse_list", ALL, "boxes", _("Stock")),
    NavItem(_("Stock moves"), "stock:move_list", ALL, "arrow-left-right", _("Stock")),
    NavItem(
        _("Final verification"),
        "invoicing:verification_list",
        ADMIN,
        "clipboard-check",
        _("Invoicing"),
    ),
    NavItem(_("Calls to invoice"), "invoicing:billable_calls", ADMIN, "receipt", _("Invoicing")),
    NavItem(_("Invoices"), "invoicing:invoice_list", ADMIN, "receipt-cutoff", _("Invoicing")),
    NavItem(_("Open items"), "invoicing:open_items", ADMIN, "cash-coin", _("Invoicing")),
    NavItem(_("Expenses report"), "invoicing:expenses_report", ADMIN, "wallet", _("Invoicing")),
    NavItem(_("Users"), "accounts:user_list", ADMIN, "people", _("Administration")),
    NavItem(
        _("Authentication log"), "accounts:audit_log", ADMIN, "shield-lock", _("Administration")
    ),
    NavItem(_("Company profile"), "company_profile", ADMIN, "building-gear", _("Administration")),
    NavItem(_("Webhooks"), "events:endpoint_list", ADMIN, "broadcast", _("Administration")),
    NavItem(_("Checklists"), "calls:checklist_templates", ADMIN, "ui-checks", _("Administration")),
]

# Where each role lands after login; apps with a better start page replace their entry.
HOME_URL_NAMES: dict[str, str] = {
    Role.ADMINISTRATOR: "dashboard:home",
    Role.OPERATOR: "dashboard:home",
    Role.TECHNICIAN: "calls:my_interventions",
}


# (role, URLconf, script prefix, language) -> the role's menu; the entries and their URLs are
# fixed once the URLconf is loaded, so each signed-in page does not reverse them all again.
_MENUS: dict[tuple, list[dict[str, Any]]] = {}


def items_for(user: Any) -> list[dict[str, Any]]:
    """Menu entries grouped for the template: [{"label": group, "items": [...]}, ...].

    The list is shared between requests: read it, do not change it.
    """
    if not user.is_authenticated or user.must_onboard:
        return []
    key = (user.role, *url_context())
    menu = _MENUS.get(key)
    if menu is None:
        menu = _MENUS[key] = _menu(user.role)
    return menu


def _menu(role: str) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for item in NAV_ITEMS:
        if role not in item.roles:
            continue
        group = groups.setdefault(str(item.group), {"label": item.group, "items": []})
        previous = group["items"][-1]["section"] if group["items"] else None
        entry = {
            "label": item.label,
            "url": reverse(item.url_name),
            "icon": item.icon,
            "section": item.section,
            # The heading is written once, above the first entry of its section.
            "heading": item.section if item.section and str(item.section) != str(previous) else "",
        }
        group["items"].append(entry)
    return list(groups.values())


def home_url_for(user: Any) -> str:
    return reverse(HOME_URL_NAMES.get(user.role, "customers:customer_list"))
