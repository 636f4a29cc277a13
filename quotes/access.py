"""Who may work on price lists and quotes, and who may change the prices on a quote.

Quotes and price lists are office work (administrators and operators; technicians get 403 and
a quote they ask for by number is a 404). The frozen prices of a quote line are changed only by
an administrator or whoever holds the ``quotes.change_quote_prices`` permission. The roles are
``service_portal.roles``.
"""

from __future__ import annotations

from typing import Any

from service_portal.permissions import check_role
from service_portal.roles import ADMINISTRATORS, STAFF, has_role


def may_quote(user: Any) -> bool:
    return has_role(user, STAFF)


def check_may_quote(user: Any) -> None:
    """``PermissionDenied`` unless ``user`` may work on quotes and price lists."""
    check_role(user, STAFF)


def can_change_prices(user: Any) -> bool:
    """Administrators, or anyone given the ``quotes.change_quote_prices`` permission."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (has_role(user, ADMINISTRATORS) or user.has_perm("quotes.change_quote_prices"))
    )
