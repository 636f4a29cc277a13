"""Due dates from a payment term: the one rule, used when an invoice is issued.

A term lists its instalments as days after the invoice date ("0", "30", "30,60"). Without
"end of month" a due date is the invoice date plus the days. With "end of month" (fine mese),
the Italian custom counts whole months: 30 days are one month, 60 two, so an invoice of 31
January at "30 days end of month" is due on 28 February (the end of the month after the invoice's
month), never in March; a number of days that is not a multiple of 30 is added as days and the
date then moves to the end of its month. "0 end of month" is the end of the invoice's month.

The payable amount is split in equal instalments rounded to the cent; the last one takes the
rounding remainder, so the instalments always add up to the amount.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from service_portal.money import money

MAX_INSTALMENTS = 12
MAX_DAYS = 720


def parse_days(value: str) -> list[int]:
    """ "30,60" -> [30, 60]; refuses anything but ascending whole numbers of days."""
    parts = [p.strip() for p in (value or "").split(",")]
    if not parts or any(not (p.isascii() and p.isdigit()) for p in parts):
        raise ValidationError(_("Write whole numbers of days separated by commas, e.g. 30,60."))
    days = [int(p) for p in parts]
    if len(days) > MAX_INSTALMENTS or any(d > MAX_DAYS for d in days):
        raise ValidationError(
            _("At most %(count)s instalments of at most %(days)s days.")
            % {"count": MAX_INSTALMENTS, "days": MAX_DAYS}
        )
    if days != sorted(set(days)):
        raise ValidationError(_("Give the days in ascending order, each once."))
    return days


def _end_of_month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def due_date(issued: datetime.date, days: int, *, end_of_month: bool) -> datetime.date:
    """The date one instalment is due (see the module's docstring for the end-of-month rule)."""
    if not end_of_month:
        return issued + datetime.timedelta(days=days)
    if days % 30 == 0:
        months = issued.month - 1 + days // 30
        return _end_of_month(issued.year + months // 12, months % 12 + 1)
    later = issued + datetime.timedelta(days=days)
    return _end_of_month(later.year, later.month)


def instalments(amount: Decimal, count: int) -> list[Decimal]:
    """``amount`` in ``count`` parts rounded to the cent; the last takes the remainder."""
    share = money(amount / count)
    return [share] * (count - 1) + [money(amount - share * (count - 1))]


def due_dates(
    issued: datetime.date, amount: Decimal, *, days: str, end_of_month: bool
) -> list[tuple[datetime.date, Decimal]]:
    """[(due date, amount), ...] in order, adding up to ``amount``."""
    offsets = parse_days(days)
    amounts = instalments(amount, len(offsets))
    return [
        (due_date(issued, offset, end_of_month=end_of_month), part)
        for offset, part in zip(offsets, amounts, strict=True)
    ]
