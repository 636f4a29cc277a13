"""Demo invoicing: the calls demo's verified call is invoiced, one of its done ones is verified,
and one invoice is issued for each VAT case (SPEC §6).

It works on the calls the calls demo made and the planner demo visited: it verifies the older
*done* intervention, gives the one left in the verification queue a confirmed quote with an
"other" line (waste-oil disposal, €22.50; the visits' hours, kilometres and parts are priced by
the pricing order of docs/invoicing.md), and issues one invoice for the call that was already
*verified*, which leaves a verified call waiting on the "calls to invoice"
page. Then, for each VAT case of ``invoicing.vat`` (an Italian company, an EU business, a
business outside the EU, a public administration), it opens a call on one of that customer's
machines, quotes it with the standard price list, has the planner demo do the visit (hours,
kilometres, a spare part, the signature), verifies and invoices it: goods and services at the
rates, Natura codes, references, split payment and stamp duty of that case.

Idempotent: each step is skipped when what it makes already exists. ``--scale`` adds no volume
(invoices are few compared with calls).

Payments (issue 18): the usual payment terms are master data, the company's default is
"30 days end of month". So that the open items page and the dashboard's overdue figure have
something to show on the day the demo is made, the oldest demo invoice is dated back as if it
had been issued two and a half months ago (its frozen due dates recomputed the same way), and
part of an invoice is paid. Only the demo does this; the portal itself never moves an issued
invoice's date. Idempotent: nothing is added when a payment already exists.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from calls import services as call_services
from calls.demo import DemoCall, working_day
from calls.models import Call, Intervention, InterventionType, State
from customers.models import Customer, Unit
from invoicing import payments, services, waiting
from invoicing.models import Invoice, InvoiceDueDate, InvoiceKind, InvoiceState, Payment
from planner import demo as planner_demo
from quotes.models import Quote, QuoteLine, QuoteState, RateKind
from quotes.services import QUOTE_SERIES, price_lists_for
from service_portal import company
from service_portal.i18n import translations
from service_portal.models import PaymentMethod, PaymentTerm
from service_portal.money import default_vat_rate
from service_portal.numbering import next_code
from service_portal.payment_terms import due_dates

# (the customer's name, the visit's working day from today, the call's description)
VAT_CASES = [
    (
        "Officine Meccaniche Bianchi S.p.A.",
        -10,
        "Revisione del gruppo di saldatura: sostituzione della torcia e taratura.",
    ),
    (
        "Metallbau Schneider GmbH",
        -11,
        "Hydraulikdruck schwankt: Ventilblock prüfen und Dichtungen ersetzen.",
    ),
    (
        "Northern Fabrication Ltd",
        -12,
        "Compressor overheating at full load: clean the cooler, replace the thermostat.",
    ),
    (
        "Comune di Valdoria - Servizio Manutenzioni",
        -13,
        "Manutenzione straordinaria del compressore dell'officina comunale.",
    ),
]


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


TERMS = [
    # (days, end of month, method, names per language)
    ("0", False, PaymentMethod.BANK_TRANSFER, {
        "it": "Rimessa diretta", "en": "Immediate payment", "de": "Sofort zahlbar",
        "fr": "Paiement immédiat", "es": "Pago inmediato",
    }),
    ("30", True, PaymentMethod.BANK_TRANSFER, {
        "it": "Bonifico 30 gg fine mese", "en": "Bank transfer, 30 days end of month",
        "de": "Überweisung, 30 Tage Monatsende", "fr": "Virement, 30 jours fin de mois",
        "es": "Transferencia, 30 días fin de mes",
    }),
    ("60", True, PaymentMethod.BANK_TRANSFER, {
        "it": "Bonifico 60 gg fine mese", "en": "Bank transfer, 60 days end of month",
        "de": "Überweisung, 60 Tage Monatsende", "fr": "Virement, 60 jours fin de mois",
        "es": "Transferencia, 60 días fin de mes",
    }),
    ("90", True, PaymentMethod.BANK_TRANSFER, {
        "it": "Bonifico 90 gg fine mese", "en": "Bank transfer, 90 days end of month",
        "de": "Überweisung, 90 Tage Monatsende", "fr": "Virement, 90 jours fin de mois",
        "es": "Transferencia, 90 días fin de mes",
    }),
    ("30,60", True, PaymentMethod.RIBA, {
        "it": "RiBa 30-60 gg fine mese", "en": "RiBa, 30-60 days end of month",
        "de": "RiBa, 30-60 Tage Monatsende", "fr": "RiBa, 30-60 jours fin de mois",
        "es": "RiBa, 30-60 días fin de mes",
    }),
]  # fmt: skip
DEFAULT_DAYS = "30"


def _payment_terms() -> None:
    if not PaymentTerm.objects.exists():
        for days, end_of_month, method, names in TERMS:
            PaymentTerm.objects.create(
                days=days,
                end_of_month=end_of_month,
                method=method,
                **translations("name", names),
            )
    profile = company.current_from_database()
    if profile is not None and profile.default_payment_term_id is None:
        profile.default_payment_term = PaymentTerm.objects.filter(
            days=DEFAULT_DAYS, end_of_month=True
        ).first()
        profile.save()


def _date_back(invoice: Invoice, days: int) -> None:
    """The demo's history: the invoice as if issued ``days`` ago (never before the 1st of
    January of its number's year), due dates to match."""
    today = timezone.localdate()
    issued = max(today - datetime.timedelta(days=days), datetime.date(today.year, 1, 1))
    Invoice.objects.filter(pk=invoice.pk).update(issue_date=issued)
    rows = list(invoice.due_dates.order_by("position"))
    term = payments.term_for(invoice)
    if term is None or not rows:
        return
    amount = sum((row.amount for row in rows), Decimal(0))
    fresh = due_dates(issued, amount, days=term.days, end_of_month=term.end_of_month)
    if len(fresh) == len(rows):
        for row, (date, part) in zip(rows, fresh, strict=True):
            InvoiceDueDate.objects.filter(pk=row.pk).update(due_date=date, amount=part)


def _payments(admin: User) -> None:
    if Payment.objects.exists():
        return
    invoices = list(
        Invoice.objects.filter(
            kind=InvoiceKind.INVOICE, state=InvoiceState.ISSUED, credit_notes__isnull=True
        )
        .select_related("customer__payment_term")
        .order_by("pk")
    )
    if not invoices:
        return
    overdue = invoices[0]
    _date_back(overdue, 75)
    partly = invoices[1] if len(invoices) > 1 else overdue
    partly.refresh_from_db()
    payments.record_payment(
        invoice=partly,
        date=max(partly.issue_date, timezone.localdate() - datetime.timedelta(days=20)),
        amount=(payments.payable_of(partly) * Decimal("0.4")).quantize(Decimal("0.01")),
        method=PaymentMethod.BANK_TRANSFER,
        reference="CRO 0000451278",
        acting_user=admin,
    )


_bulk = {"triggers_off": False}


@contextmanager
def bulk_load(scale: int) -> Iterator[None]:
    """While ``seed_demo --scale`` writes the calls' volume in bulk (a million interventions at
    scale 100), the triggers that keep the calls to invoice are off: each inserted intervention
    rewrote its call's row, which made most of the seed's time. They are put back, and every row
    recounted by ``waiting.rebuild()`` (what ``rebuild_calls_to_invoice`` does), before this
    module's own demo invoices are made through the services, or at the end if the seed stops
    earlier."""
    waiting.uninstall()
    _bulk["triggers_off"] = True
    try:
        yield
    finally:
        _triggers_back()


def _triggers_back() -> None:
    if _bulk["triggers_off"]:
        waiting.install()
        waiting.rebuild()
        _bulk["triggers_off"] = False


def seed(*, scale: int, progress) -> None:
    _triggers_back()
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if admin is None:
        progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())
        return
    with transaction.atomic():
        _payment_terms()
    if not Invoice.objects.exists():
        _first_invoice(admin)
    technicians = list(
        User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by("username")[:2]
    )
    if technicians:
        for index, case in enumerate(VAT_CASES):
            with transaction.atomic():
                _vat_case(admin, technicians, index, *case)
    with transaction.atomic():
        _payments(admin)
    progress.step("invoices", Invoice.objects.count(), Invoice.objects.count())


@transaction.atomic
def _first_invoice(admin: User) -> None:
    demo = Intervention.objects.exclude(call__description__startswith="Generated")
    demo = demo.exclude(call__description__in=[case[2] for case in VAT_CASES])
    verified = demo.filter(state=State.VERIFIED).order_by("pk").first()
    done = list(demo.filter(state=State.DONE).order_by("requested_date", "pk"))
    if len(done) > 1:  # keep one in the verification queue
        services.verify(intervention=done[0], acting_user=admin)
    if done:
        _quote_with_other_line(done[-1], admin)
    if verified is not None:
        draft = services.create_draft(calls=[verified.call], acting_user=admin)
        services.issue(invoice=draft, acting_user=admin)


def _vat_case(
    admin: User, technicians: list[User], index: int, name: str, visit: int, description: str
) -> None:
    """One call of ``name``'s, visited ``visit`` working days ago, verified and invoiced."""
    customer = Customer.objects.filter(name=name).first()
    repair = InterventionType.objects.filter(code="repair").first()
    if customer is None or repair is None or Call.objects.filter(description=description).exists():
        return
    unit = (
        Unit.objects.filter(site__customer=customer)
        .select_related("site", "product")
        .order_by("pk")
        .first()
    )
    if unit is None:
        return
    today = timezone.localdate()
    call = call_services.create_call(
        acting_user=admin,
        customer=customer,
        site=unit.site,
        contact=customer.contacts.order_by("pk").first(),
        unit=unit,
        description=description,
        received_at=timezone.now() - datetime.timedelta(days=20 + index),
    )
    intervention = call.interventions.get()
    technician = technicians[index % len(technicians)]
    call_services.fill_intervention_section(
        intervention=intervention,
        acting_user=admin,
        version=None,
        type=repair,
        requested_date=working_day(visit, today),
        technician=technician,
        expected_hours=Decimal(4),
    )
    price_list = next(iter(price_lists_for(customer, today)), None)
    if price_list is not None:
        call_services.quote_intervention(
            intervention=intervention, price_list=price_list, acting_user=admin
        )
    planner_demo.visit(
        DemoCall(
            State.DONE,
            20 + index,
            "normal",
            unit.product.code,
            "repair",
            description,
            visit=visit,
            technician=index,
        ),
        admin,
        technicians,
        today,
    )
    intervention.refresh_from_db()
    services.verify(intervention=intervention, acting_user=admin)
    draft = services.create_draft(calls=[call], acting_user=admin)
    services.issue(invoice=draft, acting_user=admin)
