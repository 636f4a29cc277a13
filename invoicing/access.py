"""Who may verify, invoice and credit.

Final verification (corrections, verify, send back), invoices and credit notes are the
administrators' alone; an operator or a technician gets 403 on the pages and a translated
refusal from the services. The roles are ``service_portal.roles``.
"""

from __future__ import annotations

from typing import Any

from service_portal.roles import ADMINISTRATORS, has_role


def may_invoice(user: Any) -> bool:
    """Verify interventions, correct them, send them back, issue and credit invoices."""
    return has_role(user, ADMINISTRATORS)
