"""Demo terms, a spare-part catalogue that fits the demo products, and bulk parts for --scale."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction
from django.test.utils import override_settings

from accounts.models import User
from customers.models import Product, Unit
from orders import services, vat_codes
from orders.models import DeliveryTerm, Offer, PaymentMethod, SparePart, Transport, VatRate
from service_portal.i18n import language_codes, translations

# Names and descriptions are given in the portal's languages: it, en, de, fr, es.
PAYMENTS = [
    ("Anticipato", "Advance payment", "Vorauskasse", "Paiement d'avance", "Pago anticipado"),
    (
        "Bonifico bancario 30 gg d.f.",
        "Bank transfer 30 days from invoice",
        "Überweisung 30 Tage nach Rechnungsdatum",
        "Virement bancaire à 30 jours date de facture",
        "Transferencia bancaria a 30 días fecha factura",
    ),
    (
        "RID / addebito diretto",
        "Direct debit (RID)",
        "SEPA-Lastschrift",
        "Prélèvement SEPA",
        "Domiciliación bancaria (adeudo SEPA)",
    ),
    (
        "Ricevuta bancaria 60 gg",
        "Bank receipt 60 days",
        "Bankwechsel 60 Tage",
        "Effet bancaire (LCR) à 60 jours",
        "Recibo bancario a 60 días",
    ),
]
DELIVERY_TERMS = [
    (
        "Franco destino",
        "Delivered (carriage paid)",
        "Frei Haus",
        "Franco domicile",
        "Portes pagados",
    ),
    ("Franco partenza", "Ex works", "Ab Werk", "Départ usine", "En fábrica (EXW)"),
    ("Porto assegnato", "Carriage forward", "Unfrei", "Port dû", "Portes debidos"),
]
TRANSPORTS = [
    (
        "Nostro corriere",
        "Our courier",
        "Unser Kurier",
        "Notre transporteur",
        "Nuestro transportista",
    ),
    ("Vostro corriere", "Your courier", "Ihr Kurier", "Votre transporteur", "Su transportista"),
    (
        "Compreso nel prezzo",
        "Included in the price",
        "Im Preis inbegriffen",
        "Compris dans le prix",
        "Incluido en el precio",
    ),
    (
        "Ritiro del cliente",
        "Collected by the customer",
        "Abholung durch den Kunden",
        "Enlèvement par le client",
        "Recogida por el cliente",
    ),
]
PARTS = [
    # code, descriptions, unit, price, products
    (
        "FLT-OIL-30",
        (
            "Filtro olio compressore",
            "Compressor oil filter",
            "Ölfilter Kompressor",
            "Filtre à huile compresseur",
            "Filtro de aceite del compresor",
        ),
        "pz",
        "38.50",
        ["CMP-300", "CMP-550"],
    ),
    (
        "FLT-AIR-30",
        (
            "Filtro aria aspirazione",
            "Air intake filter",
            "Ansaugluftfilter",
            "Filtre à air d'aspiration",
            "Filtro de aire de aspiración",
        ),
        "pz",
        "54.90",
        ["CMP-300"],
    ),
    (
        "FLT-AIR-55",
        (
            "Filtro aria aspirazione 55 kW",
            "Air intake filter 55 kW",
            "Ansaugluftfilter 55 kW",
            "Filtre à air d'aspiration 55 kW",
            "Filtro de aire de aspiración 55 kW",
        ),
        "pz",
        "72.00",
        ["CMP-550"],
    ),
    (
        "SEP-30",
        (
            "Separatore aria/olio",
            "Air/oil separator",
            "Luft-/Ölabscheider",
            "Séparateur air/huile",
            "Separador aire/aceite",
        ),
        "pz",
        "129.00",
        ["CMP-300", "CMP-550"],
    ),
    (
        "OIL-5L",
        (
            "Olio sintetico per compressori 5 l",
            "Synthetic compressor oil 5 l",
            "Synthetisches Kompressorenöl 5 l",
            "Huile synthétique pour compresseurs 5 l",
            "Aceite sintético para compresores 5 l",
        ),
        "pz",
        "64.00",
        ["CMP-300", "CMP-550"],
    ),
    (
        "BLT-DRV-30",
        (
            "Cinghia di trasmissione",
            "Drive belt",
            "Antriebsriemen",
            "Courroie de transmission",
            "Correa de transmisión",
        ),
        "pz",
        "45.30",
        ["CMP-300"],
    ),
    (
        "DRY-FAN-120",
        (
            "Ventola condensatore essiccatore",
            "Dryer condenser fan",
            "Kondensatorlüfter Trockner",
            "Ventilateur du condenseur du sécheur",
            "Ventilador del condensador del secador",
        ),
        "pz",
        "210.00",
        ["DRY-120"],
    ),
    (
        "LAS-LENS-2040",
        (
            "Lente di focalizzazione",
            "Focusing lens",
            "Fokussierlinse",
            "Lentille de focalisation",
            "Lente de enfoque",
        ),
        "pz",
        "395.00",
        ["LAS-2040"],
    ),
    (
        "LAS-NOZ-15",
        (
            "Ugello di taglio 1,5 mm",
            "Cutting nozzle 1.5 mm",
            "Schneiddüse 1,5 mm",
            "Buse de découpe 1,5 mm",
            "Boquilla de corte 1,5 mm",
        ),
        "pz",
        "18.40",
        ["LAS-2040"],
    ),
    (
        "PRS-SEAL-160",
        (
            "Kit guarnizioni cilindro",
            "Cylinder seal kit",
            "Zylinderdichtungssatz",
            "Kit de joints de vérin",
            "Kit de juntas del cilindro",
        ),
        "kit",
        "286.00",
        ["PRS-160"],
    ),
    (
        "WLD-TIP-R6",
        (
            "Punta di contatto saldatura (conf. 10)",
            "Welding contact tips (pack of 10)",
            "Schweiß-Kontaktdüsen (10 Stück)",
            "Tubes contact de soudage (lot de 10)",
            "Puntas de contacto de soldadura (paquete de 10)",
        ),
        "conf",
        "27.50",
        ["WLD-R6"],
    ),
    (
        "GRS-400",
        (
            "Grasso al litio 400 g",
            "Lithium grease 400 g",
            "Lithiumfett 400 g",
            "Graisse au lithium 400 g",
            "Grasa de litio 400 g",
        ),
        "pz",
        "9.80",
        [],
    ),
]


def _terms(model, rows) -> None:
    for position, names in enumerate(rows, start=1):
        texts = dict(zip(language_codes(), names, strict=True))
        model.objects.get_or_create(
            name_it=texts["it"], defaults={**translations("name", texts), "position": position}
        )


def seed(*, scale: int, progress) -> None:
    _catalogue(scale=scale, progress=progress)
    _offers(progress)


def _offers(progress) -> None:
    """A draft, a sent offer and an order, for the demo's first customer's compressor."""
    operator = User.objects.filter(username="operator").first()
    unit = (
        Unit.objects.with_relations()
        .filter(product__code="CMP-300", site__customer__vat_number="IT00743110157")
        .first()
    )
    if operator is None or unit is None or Offer.objects.exists():
        return
    customer = unit.site.customer
    contact = customer.contacts.order_by("pk").first()
    parts = list(SparePart.objects.filter(products=unit.product).order_by("code")[:3])
    terms = {
        "payment_method": PaymentMethod.objects.order_by("position").first(),
        "delivery_term": DeliveryTerm.objects.order_by("position").first(),
        "transport": Transport.objects.order_by("position").first(),
        "delivery_days": 10,
    }
    # The e-mails of the demo offers stay in memory: nobody receives them.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        offers = []
        for _ in range(3):
            with transaction.atomic():
                offer = services.create_draft_offer(
                    customer=customer,
                    site=unit.site,
                    contact=contact,
                    unit=unit,
                    acting_user=operator,
                )
                for part in parts:
                    services.add_line(offer=offer, spare_part=part, acting_user=operator)
                services.update_offer_terms(offer=offer, acting_user=operator, **terms)
            offers.append(offer)
        for offer in offers[1:]:
            with transaction.atomic():
                services.send_offer(offer=offer, acting_user=operator)
        services.record_decision(
            offer=offers[2],
            accept=True,
            name=contact.name,
            channel="phone",
            acting_user=operator,
        )
        services.convert_to_order(offer=offers[2], acting_user=operator)
    progress.step("offers and orders", 3, 3)


@transaction.atomic
def _catalogue(*, scale: int, progress) -> None:
    # The standard VAT codes (the data migration made them; made again after a flush).
    for position, item in enumerate(vat_codes.STANDARD, start=1):
        names = dict(zip(language_codes(), item.names, strict=True))
        references = dict(zip(language_codes(), item.references, strict=True))
        VatRate.objects.get_or_create(
            code=item.code,
            defaults={
                "rate": Decimal(item.rate),
                "natura": item.natura,
                **translations("name", names),
                **translations("legal_reference", references),
                "position": position,
            },
        )
    _terms(PaymentMethod, PAYMENTS)
    _terms(DeliveryTerm, DELIVERY_TERMS)
    _terms(Transport, TRANSPORTS)
    vat = VatRate.objects.get(code="22")
    products = {p.code: p for p in Product.objects.all()}
    for code, descriptions, uom, price, fits in PARTS:
        texts = dict(zip(language_codes(), descriptions, strict=True))
        part, created = SparePart.objects.get_or_create(
            code=code,
            defaults={
                **translations("description", texts),
                "unit_of_measure": uom,
                "list_price": Decimal(price),
                "vat_rate": vat,
                "stock_quantity": Decimal(random.randint(0, 40)),
            },
        )
        if created:
            part.products.set([products[c] for c in fits if c in products])
    progress.step("spare parts", len(PARTS), len(PARTS))
    wanted = scale * 2000
    existing = SparePart.objects.filter(code__startswith="GEN-").count()
    batch = []
    for n in range(existing, wanted):
        batch.append(
            SparePart(
                code=f"GEN-{n:06d}",
                description_it=f"Ricambio generico {n}",
                description_en=f"Generic spare part {n}",
                list_price=Decimal(random.randint(100, 100000)) / 100,
                vat_rate=vat,
            )
        )
        if len(batch) == 2000:
            SparePart.objects.bulk_create(batch)
            batch = []
            progress.step("generated spare parts", n + 1, wanted)
    if batch:
        SparePart.objects.bulk_create(batch)
        progress.step("generated spare parts", wanted, wanted)
