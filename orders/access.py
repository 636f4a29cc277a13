"""Who may work on spare-part offers and orders.

Offers, their revisions and orders are office work: administrators and operators may read and
change every one of them, technicians none (403). Services and selectors ask here; the
customer's signed acceptance link is not a user's right but a secret token
(``orders.services``). The roles are ``service_portal.roles``.
"""

from __future__ import annotations

from typing import Any

from service_portal.permissions import check_role
from service_portal.roles import STAFF, has_role


def may_sell(user: Any) -> bool:
    """Offers and orders: read, write, issue, send, confirm, cancel."""
    return has_role(user, STAFF)


def check_may_sell(user: Any) -> None:
    """``PermissionDenied`` unless ``user`` may work on offers and orders."""
    check_role(user, STAFF)
