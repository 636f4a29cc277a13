"""The event types the portal emits: the one list the endpoint form, the docs and ``emit`` use.

A new kind of event (the stock app's moves, for example) is one line here and one ``emit`` call
in the service that makes the change.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_TYPES: dict[str, str] = {
    "order.accepted": _("Order accepted"),
    "order.changed": _("Order state changed"),
    "order.shipped": _("Order shipped (a delivery note)"),
    "invoice.issued": _("Invoice issued"),
    "invoice.credited": _("Credit note issued"),
    "invoice.paid": _("Payment recorded on an invoice"),
    "call.state_changed": _("Call state changed"),
    "intervention.state_changed": _("Intervention state changed"),
    "part.consumed": _("Spare part consumed on an intervention"),
    "part.returned": _("Spare part returned from an intervention"),
    "stock.moved": _("Stock moved"),
}


def choices() -> list[tuple[str, str]]:
    return list(EVENT_TYPES.items())
