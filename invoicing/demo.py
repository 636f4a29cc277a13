"""Demo invoicing: the calls demo's verified call is invoiced, one of its done ones is verified.

It works on the calls the calls demo made and the planner demo visited (no new calls nor
actuals: the visits' hours, kilometres and parts are billed, priced by the pricing order of
docs/invoicing.md: without a quote, the customer's own list or the company default list),
verifies the older *done* intervention, gives the one left in the verification queue a
confirmed quote with an "other" line (waste-oil disposal, €22.50), and issues one invoice for the
call that was already *verified*, which leaves a verified call waiting on the "calls to
invoice" page. Idempotent: nothing is added when an invoice already exists. ``--scale`` adds no
volume (invoices are few compared with calls).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from calls.models import Intervention, State
from invoicing import services
from invoicing.models import Invoice
from quotes.models import Quote, QuoteLine, QuoteState, RateKind
from quotes.services import QUOTE_SERIES, price_lists_for
from service_portal.money import default_vat_rate
from service_portal.numbering import next_code

# The quote of the intervention waiting for verification: (kind, quantity), priced by the
# customer's list, and an "other" line at its own price.
QUOTED = [(RateKind.LABOUR_HOUR, "3"), (RateKind.TRAVEL_HOUR, "2"), (RateKind.CALL_OUT, "1")]
WASTE_OIL = ("SMALT-OLIO", "Smaltimento olio esausto", Decimal("22.50"))


def _quote_with_other_line(intervention: Intervention, admin: User) -> None:
    """A confirmed quote for ``intervention`` from its customer's best list, with an "other"
    line: the verification page shows each line's price source and the quoted "other" line."""
    customer = intervention.call.customer
    lists = price_lists_for(customer, intervention.requested_date or timezone.localdate())
    if intervention.quote_id is not None or not lists:
        return
    price_list = lists[0]
    rates = {rate.kind: rate for rate in reversed(list(price_list.rates.all()))}
    quote = Quote.objects.create(
        code=next_code(QUOTE_SERIES, separator="-P"),
        customer=customer,
        price_list=price_list,
        price_list_name=price_list.name,
        currency=price_list.currency,
        vat_rate=default_vat_rate(),
        state=QuoteState.CONFIRMED,
        created_by=admin,
    )
    lines = [
        QuoteLine(
            quote=quote,
            rate=rates[kind],
            kind=kind,
            code=rates[kind].code,
            description=rates[kind].description_in(customer.language),
            unit=rates[kind].unit,
            quantity=Decimal(quantity),
            unit_price=rates[kind].price,
        )
        for kind, quantity in QUOTED
        if kind in rates
    ]
    code, description, price = WASTE_OIL
    lines.append(
        QuoteLine(
            quote=quote,
            kind=RateKind.OTHER,
            code=code,
            description=description,
            unit="pz",
            quantity=Decimal(1),
            unit_price=price,
        )
    )
    for position, line in enumerate(lines, start=1):
        line.position = position
    QuoteLine.objects.bulk_create(lines)
    Intervention.objects.filter(pk=intervention.pk).update(quote=quote)


def seed(*, scale: int, progress) -> None:
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if admin is None or Invoice.objects.exists():
        progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
        return
    demo = Intervention.objects.exclude(call__description__startswith="Generated")
    verified = demo.filter(state=State.VERIFIED).order_by("pk").first()
    done = list(demo.filter(state=State.DONE).order_by("requested_date", "pk"))
    with transaction.atomic():
        if len(done) > 1:  # keep one in the verification queue
            services.verify(intervention=done[0], acting_user=admin)
        if done:
            _quote_with_other_line(done[-1], admin)
        if verified is not None:
            draft = services.create_draft(calls=[verified.call], acting_user=admin)
            services.issue(invoice=draft, acting_user=admin)
    progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
