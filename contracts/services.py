"""Writes on service contracts besides the form's fields: SLA targets, automatic renewal."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contracts.models import Contract, SlaTarget


def renewed_end(contract: Contract, today: datetime.date) -> datetime.date | None:
    """The end date after as many automatic renewals (each as long as the first term) as it
    takes to reach ``today``; None when the contract does not renew or has no end."""
    if not contract.auto_renew or contract.end_date is None or contract.end_date >= today:
        return None
    term = contract.end_date - contract.start_date + datetime.timedelta(days=1)
    end = contract.end_date
    while end < today:
        end += term
    return end


def renew_contracts(today: datetime.date | None = None) -> str:
    """The scheduled job ``contract_renewals``: move the end date of the contracts that renew
    automatically and reached it (a contract cancelled in time has ``auto_renew`` off)."""
    today = today or timezone.localdate()
    renewed = 0
    pks = Contract.objects.filter(is_active=True, auto_renew=True, end_date__lt=today).values_list(
        "pk", flat=True
    )
    for pk in list(pks):
        with transaction.atomic():
            contract = Contract.objects.select_for_update().get(pk=pk)
            end = renewed_end(contract, today)
            if end is None:
                continue
            contract.end_date = end
            contract.save(update_fields=["end_date", "version", "updated_at"])
            renewed += 1
    return f"{renewed} contract(s) renewed"


@transaction.atomic
def set_targets(*, contract: Contract, targets: dict[str, tuple[Decimal, Decimal]]) -> None:
    """Replace the contract's SLA targets (priority -> response, resolution business hours).

    The calls already open keep the deadlines they were given until their next change: a
    target is part of the agreement in force when the call was received."""
    SlaTarget.objects.filter(contract=contract).exclude(priority__in=list(targets)).delete()
    for priority, (response, resolution) in targets.items():
        SlaTarget.objects.update_or_create(
            contract=contract,
            priority=priority,
            defaults={"response_hours": response, "resolution_hours": resolution},
        )
