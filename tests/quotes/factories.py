"""Builders for price lists, rates and quotes."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from customers.models import Customer
from quotes.models import PriceList, Rate, RateKind

_seq = itertools.count(1)

STANDARD_RATES = [
    # code, kind, unit, price, Italian, English
    ("MO", RateKind.LABOUR_HOUR, "h", "55.00", "Manodopera tecnico", "Technician labour"),
    ("VI", RateKind.TRAVEL_HOUR, "h", "40.00", "Ore di viaggio", "Travel time"),
    ("KM", RateKind.KM, "km", "0.55", "Rimborso chilometrico", "Mileage"),
    ("DC", RateKind.CALL_OUT, "pcs", "80.00", "Diritto di chiamata", "Call-out fee"),
]


def make_price_list(
    *, rates=STANDARD_RATES, customer: Customer | None = None, **fields: Any
) -> PriceList:
    fields.setdefault("name", f"Price list {next(_seq)}")
    fields.setdefault("valid_from", datetime.date(2026, 1, 1))
    price_list = PriceList.objects.create(customer=customer, **fields)
    for position, (code, kind, unit, price, it, en) in enumerate(rates, start=1):
        Rate.objects.create(
            price_list=price_list,
            code=code,
            kind=kind,
            unit=unit,
            price=Decimal(price),
            position=position,
            description_it=it,
            description_en=en,
        )
    return price_list
