"""Contract fees: the periodic fee of each service contract, as a draft invoice per period.

The scheduled job ``contract_fees`` (registered in ``invoicing.apps``) runs ``create_fee_drafts``:
for every active contract with a fee, valid today (or renewing automatically), the period that
contains today (periods start on the contract's start date and follow each other by one, three
or twelve months) gets one draft invoice, once: the ``ContractFee`` row's unique constraint
holds even when two machines run the job at once. The administrator checks and issues the
draft like any other (``services.issue``: same series, same numbering). A missed run catches up
on its next one within the same period; a discarded draft is not made again for that period.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.models import FEE_MONTHS, Contract, FeePeriod
from invoicing import billing
from invoicing.models import ContractFee, Invoice, LineKind
from service_portal.money import default_vat_rate, money
from service_portal.roles import Role


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months``, on the last day of the month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_of(contract: Contract, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The fee period of ``contract`` that contains ``day`` (first and last day)."""
    step = FEE_MONTHS[FeePeriod(contract.fee_period)]
    count = (day.year - contract.start_date.year) * 12 + day.month - contract.start_date.month
    count = max(count // step, 0)
    start = add_months(contract.start_date, count * step)
    if start > day:
        count -= 1
        start = add_months(contract.start_date, count * step)
    end = add_months(contract.start_date, (count + 1) * step) - datetime.timedelta(days=1)
    return start, end


def fee_line(fee: ContractFee) -> billing.Line:
    """The fee as a billing line (VAT set by ``invoicing.vat`` for the customer)."""
    amount = money(fee.amount)
    return billing.Line(
        LineKind.CONTRACT_FEE, fee.description, Decimal(1), amount, amount, default_vat_rate()
    )


def _describe(contract: Contract, start: datetime.date, end: datetime.date) -> str:
    return _("Service contract %(code)s, fee %(from)s - %(to)s") % {
        "code": contract.code,
        "from": formats.date_format(start, "SHORT_DATE_FORMAT"),
        "to": formats.date_format(end, "SHORT_DATE_FORMAT"),
    }


def billing_user() -> User | None:
    """Whom the drafts are made by: the first active administrator (drafts record a user)."""
    return User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()


def due_contracts(today: datetime.date):
    return (
        Contract.objects.filter(is_active=True, start_date__lte=today, fee_amount__gt=0)
        .exclude(fee_period=FeePeriod.NONE)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today) | Q(auto_renew=True))
        .select_related("customer")
        .order_by("pk")
    )


def create_fee_drafts(today: datetime.date | None = None) -> str:
    """One draft per contract for the current fee period, unless it exists. Returns a summary."""
    today = today or timezone.localdate()
    user = billing_user()
    if user is None:
        return "no active administrator: no fee drafts made"
    made = 0
    for contract in due_contracts(today):
        start, end = period_of(contract, today)
        if ContractFee.objects.filter(contract=contract, period_start=start).exists():
            continue
        try:
            with transaction.atomic():
                invoice = Invoice.objects.create(
                    customer_id=contract.customer.payer_id, created_by=user
                )
                ContractFee.objects.create(
                    contract=contract,
                    period_start=start,
                    period_end=end,
                    amount=contract.fee_amount,
                    description=_describe(contract, start, end)[:250],
                    invoice=invoice,
                )
        except IntegrityError:
            continue  # another machine made it at the same moment
        made += 1
    return f"{made} fee draft(s) made"
