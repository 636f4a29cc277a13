"""Demo data: service contracts for some demo customers (so the calls made by calls/demo.py on
their units carry SLA clocks, some at risk or breached today), Italian company closures, and
with ``--scale N`` contracts covering the sites of one generated customer in ten (bulk)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contracts.models import Closure, Contract, Coverage, FeePeriod, Priority, SlaTarget
from customers.models import Customer, Site

DEMO_PREFIX = "CA-DEMO-"
GEN_PREFIX = "CA-GEN-"
GEN_CUSTOMER = "Demo "  # the generated customers of customers/demo.py
# (response, resolution) business hours per priority.
GOLD = {
    Priority.URGENT: (Decimal(4), Decimal(16)),
    Priority.HIGH: (Decimal(8), Decimal(24)),
    Priority.NORMAL: (Decimal(16), Decimal(40)),
    Priority.LOW: (Decimal(24), Decimal(80)),
}
SILVER = {
    Priority.URGENT: (Decimal(8), Decimal(24)),
    Priority.NORMAL: (Decimal(24), Decimal(80)),
}


def _targets(contract: Contract, table: dict) -> list[SlaTarget]:
    return [
        SlaTarget(contract=contract, priority=p, response_hours=r, resolution_hours=s)
        for p, (r, s) in table.items()
    ]


def _seed_demo(progress) -> int:
    customers = list(Customer.objects.filter(sites__units__isnull=False).distinct().order_by("pk"))
    customers = [c for c in customers if not c.name.startswith(GEN_CUSTOMER)][:4]
    today = timezone.localdate()
    made = 0
    for index, customer in enumerate(customers):
        code = f"{DEMO_PREFIX}{index + 1:02d}"
        if Contract.objects.filter(code=code).exists():
            continue
        gold = index % 2 == 0
        with transaction.atomic():
            contract = Contract.objects.create(
                code=code,
                customer=customer,
                description="Full service" if gold else "Assistenza base",
                start_date=today.replace(month=1, day=1),
                end_date=today.replace(month=12, day=31),
                auto_renew=gold,
                notice_days=90,
                labour=Coverage.INCLUDED if gold else Coverage.DISCOUNTED,
                labour_discount=Decimal(0) if gold else Decimal(20),
                travel=Coverage.INCLUDED if gold else Coverage.BILLED,
                call_out=Coverage.INCLUDED if gold else Coverage.BILLED,
                parts=Coverage.DISCOUNTED,
                parts_discount=Decimal(15 if gold else 5),
                fee_period=FeePeriod.QUARTERLY if gold else FeePeriod.MONTHLY,
                fee_amount=Decimal("1800.00") if gold else Decimal("250.00"),
            )
            contract.sites.set(Site.objects.filter(customer=customer))
            SlaTarget.objects.bulk_create(_targets(contract, GOLD if gold else SILVER))
        made += 1
    year = today.year
    for first, last, description in (
        (datetime.date(year, 8, 10), datetime.date(year, 8, 21), "Chiusura estiva"),
        (datetime.date(year, 12, 24), datetime.date(year, 12, 24), "Vigilia di Natale"),
    ):
        Closure.objects.get_or_create(
            start_date=first, end_date=last, defaults={"description": description}
        )
    progress.step("demo contracts", made, len(customers))
    return made


def _seed_volume(scale: int, progress) -> None:
    """One generated customer in ten gets a contract on all its sites (two queries a batch)."""
    generated = Customer.objects.filter(name__startswith=GEN_CUSTOMER).order_by("pk")
    customers = list(generated.values_list("pk", flat=True))
    done = set(
        Contract.objects.filter(code__startswith=GEN_PREFIX).values_list("customer_id", flat=True)
    )
    wanted = [pk for index, pk in enumerate(customers) if index % 10 == 5 and pk not in done]
    if not wanted:
        return
    today = timezone.localdate()
    with transaction.atomic():
        Contract.objects.bulk_create(
            [
                Contract(
                    code=f"{GEN_PREFIX}{pk:07d}",
                    customer_id=pk,
                    start_date=today.replace(month=1, day=1) - datetime.timedelta(days=365),
                    auto_renew=True,
                    labour=Coverage.INCLUDED,
                    parts=Coverage.DISCOUNTED,
                    parts_discount=Decimal(10),
                    fee_period=FeePeriod.YEARLY,
                    fee_amount=Decimal("2400.00"),
                )
                for pk in wanted
            ],
            batch_size=1000,
        )
        contracts = list(
            Contract.objects.filter(code__startswith=GEN_PREFIX, customer_id__in=wanted)
        )
        SlaTarget.objects.bulk_create(
            [target for c in contracts for target in _targets(c, SILVER)], batch_size=2000
        )
        by_customer = {c.customer_id: c.pk for c in contracts}
        through = Contract.sites.through
        through.objects.bulk_create(
            [
                through(contract_id=by_customer[customer_id], site_id=site_id)
                for site_id, customer_id in Site.objects.filter(
                    customer_id__in=list(by_customer)
                ).values_list("pk", "customer_id")
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
    progress.step("generated contracts", len(contracts), len(wanted))


def seed(*, scale: int, progress) -> None:
    _seed_demo(progress)
    if scale:
        _seed_volume(scale, progress)
