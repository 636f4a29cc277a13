"""Demo price lists (standard, the company default; warranty at zero; one customer's own) and a
few quotes.

``--scale N`` adds N x 200 quotes of 4 lines each for the generated customers, so the quote list
can be measured on realistic volume.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from customers.models import Customer
from quotes.models import PriceList, Quote, QuoteLine, QuoteState, Rate, RateKind
from quotes.services import QUOTE_SERIES, create_quote_from_price_list
from service_portal.i18n import language_codes, translations
from service_portal.models import Counter
from service_portal.money import default_vat_rate
from service_portal.roles import Role

# code, kind, unit, standard price, descriptions (it, en, de, fr, es)
RATES = [
    (
        "MO-TEC",
        RateKind.LABOUR_HOUR,
        "h",
        "58.00",
        (
            "Manodopera tecnico specializzato",
            "Skilled technician labour",
            "Arbeitszeit Fachtechniker",
            "Main-d'œuvre technicien spécialisé",
            "Mano de obra técnico especializado",
        ),
    ),
    (
        "MO-STR",
        RateKind.OVERTIME_HOUR,
        "h",
        "87.00",
        (
            "Manodopera straordinaria",
            "Overtime labour",
            "Arbeitszeit Überstunden",
            "Main-d'œuvre heures supplémentaires",
            "Mano de obra horas extra",
        ),
    ),
    (
        "MO-FEST",
        RateKind.HOLIDAY_HOUR,
        "h",
        "104.00",
        (
            "Manodopera festiva",
            "Holiday labour",
            "Arbeitszeit an Feiertagen",
            "Main-d'œuvre jours fériés",
            "Mano de obra en festivos",
        ),
    ),
    (
        "VIAGGIO",
        RateKind.TRAVEL_HOUR,
        "h",
        "42.00",
        ("Ore di viaggio", "Travel time", "Reisezeit", "Temps de déplacement", "Horas de viaje"),
    ),
    (
        "KM",
        RateKind.KM,
        "km",
        "0.65",
        (
            "Rimborso chilometrico",
            "Mileage",
            "Kilometerpauschale",
            "Indemnités kilométriques",
            "Kilometraje",
        ),
    ),
    (
        "DIR-CH",
        RateKind.CALL_OUT,
        "pz",
        "75.00",
        (
            "Diritto di chiamata",
            "Call-out fee",
            "Anfahrtspauschale",
            "Forfait de déplacement",
            "Derecho de salida",
        ),
    ),
    (
        "MAN-PROG",
        RateKind.FIXED_PRICE,
        "pz",
        "390.00",
        (
            "Manutenzione programmata (forfait)",
            "Scheduled maintenance (fixed price)",
            "Planmäßige Wartung (Pauschale)",
            "Maintenance programmée (forfait)",
            "Mantenimiento programado (precio fijo)",
        ),
    ),
    (
        "SMALT",
        RateKind.OTHER,
        "pz",
        "25.00",
        (
            "Smaltimento oli e filtri esausti",
            "Disposal of used oil and filters",
            "Entsorgung von Altöl und Altfiltern",
            "Élimination des huiles et filtres usagés",
            "Eliminación de aceites y filtros usados",
        ),
    ),
]

BIANCHI_VAT = "IT00743110157"  # Officine Meccaniche Bianchi S.p.A. (customers/demo.py)
FERRI_VAT = "IT01114601006"  # Carpenteria Ferri S.r.l.


def _price_list(name: str, *, year: int, factor: Decimal, **fields) -> PriceList:
    price_list, created = PriceList.objects.get_or_create(
        name=name, defaults={"valid_from": datetime.date(year, 1, 1), **fields}
    )
    if created:
        Rate.objects.bulk_create(
            Rate(
                price_list=price_list,
                code=code,
                kind=kind,
                unit=unit,
                price=(Decimal(price) * factor).quantize(Decimal("0.01")),
                position=position,
                **translations("description", dict(zip(language_codes(), texts, strict=True))),
            )
            for position, (code, kind, unit, price, texts) in enumerate(RATES, start=1)
        )
    return price_list


@transaction.atomic
def _seed_base(progress) -> None:
    year = timezone.localdate().year
    # The company default list: prices work without a quote, customer list or type list.
    standard = _price_list(
        f"Tariffario standard {year}", year=year, factor=Decimal("1"), is_default=True
    )
    _price_list(
        "Garanzia (a costo zero)",
        year=year - 5,
        factor=Decimal("0"),
        is_warranty=True,
        notes="Interventi su macchine in garanzia: nessun addebito al cliente.",
    )
    bianchi = Customer.objects.filter(vat_number=BIANCHI_VAT).first()
    own = None
    if bianchi is not None:
        own = _price_list(
            f"Tariffario Bianchi {year} (contratto quadro)",
            year=year,
            factor=Decimal("0.90"),
            customer=bianchi,
            notes="Sconto del 10% sul tariffario standard, contratto quadro 2026-2028.",
        )
    author = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if author is not None and not Quote.objects.exists():
        for vat, price_list in ((BIANCHI_VAT, own), (FERRI_VAT, standard)):
            customer = Customer.objects.filter(vat_number=vat).first()
            if customer is not None and price_list is not None:
                create_quote_from_price_list(
                    customer=customer, price_list=price_list, acting_user=author
                )
    progress.step("price lists", PriceList.objects.count(), PriceList.objects.count())


def _seed_volume(scale: int, progress) -> None:
    """N x 200 quotes for the generated customers, codes reserved in one block."""
    target = 200 * scale
    existing = Quote.objects.filter(customer__name__startswith="Demo ").count()
    missing = target - existing
    author = User.objects.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    standard = PriceList.objects.filter(customer__isnull=True, is_warranty=False).first()
    if missing <= 0 or author is None or standard is None:
        return
    customers = list(
        Customer.objects.filter(name__startswith="Demo ")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not customers:
        return
    rates = list(standard.rates.all()[:4])
    rng = random.Random(scale)
    year = timezone.localdate().year
    batch = 1000
    done = 0
    while done < missing:
        size = min(batch, missing - done)
        with transaction.atomic():
            Counter.objects.bulk_create(
                [Counter(series=QUOTE_SERIES, year=year, value=0)], ignore_conflicts=True
            )
            counter = Counter.objects.select_for_update().get(series=QUOTE_SERIES, year=year)
            first = counter.value + 1
            counter.value += size
            counter.save(update_fields=["value"])
            quotes = Quote.objects.bulk_create(
                Quote(
                    code=f"{year}-P{first + i:06d}",
                    customer_id=customers[(existing + done + i) % len(customers)],
                    price_list=standard,
                    price_list_name=standard.name,
                    currency=standard.currency,
                    vat_rate=default_vat_rate(),
                    state=rng.choice([QuoteState.DRAFT, QuoteState.CONFIRMED]),
                    created_by=author,
                )
                for i in range(size)
            )
            QuoteLine.objects.bulk_create(
                QuoteLine(
                    quote=quote,
                    rate=rate,
                    kind=rate.kind,
                    code=rate.code,
                    description=rate.description_it,
                    unit=rate.unit,
                    quantity=Decimal(rng.randint(1, 16)) / 2,
                    unit_price=rate.price,
                    position=position,
                )
                for quote in quotes
                for position, rate in enumerate(rates, start=1)
            )
        done += size
        progress.step("generated quotes", done, missing)


def seed(*, scale: int, progress) -> None:
    _seed_base(progress)
    if scale > 0:
        _seed_volume(scale, progress)
