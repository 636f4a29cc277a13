"""Demo installed base: a few real-looking customers, then generated volume for --scale."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from customers.models import Contact, Customer, Product, Site, Unit
from service_portal.i18n import language_codes, translations

PRODUCTS = [
    # code, descriptions (it, en, de, fr, es)
    (
        "CMP-300",
        (
            "Compressore a vite 30 kW",
            "Rotary screw compressor 30 kW",
            "Schraubenkompressor 30 kW",
            "Compresseur à vis 30 kW",
            "Compresor de tornillo 30 kW",
        ),
    ),
    (
        "CMP-550",
        (
            "Compressore a vite 55 kW",
            "Rotary screw compressor 55 kW",
            "Schraubenkompressor 55 kW",
            "Compresseur à vis 55 kW",
            "Compresor de tornillo 55 kW",
        ),
    ),
    (
        "DRY-120",
        (
            "Essiccatore a refrigerazione 120 m³/h",
            "Refrigerated dryer 120 m³/h",
            "Kältetrockner 120 m³/h",
            "Sécheur frigorifique 120 m³/h",
            "Secador frigorífico 120 m³/h",
        ),
    ),
    (
        "LAS-2040",
        (
            "Centro di taglio laser 2040",
            "Laser cutting centre 2040",
            "Laserschneidanlage 2040",
            "Centre de découpe laser 2040",
            "Centro de corte láser 2040",
        ),
    ),
    (
        "PRS-160",
        (
            "Pressa piegatrice 160 t",
            "Press brake 160 t",
            "Abkantpresse 160 t",
            "Presse plieuse 160 t",
            "Plegadora 160 t",
        ),
    ),
    (
        "WLD-R6",
        (
            "Cella di saldatura robotizzata R6",
            "Robotic welding cell R6",
            "Roboterschweißzelle R6",
            "Cellule de soudage robotisée R6",
            "Célula de soldadura robotizada R6",
        ),
    ),
]

CUSTOMERS = [
    {
        "name": "Officine Meccaniche Bianchi S.p.A.",
        "vat_number": "IT00743110157",
        "sdi_code": "M5UXCR1",
        "address": "Via Roma 12",
        "postal_code": "20121",
        "city": "Milano",
        "province": "MI",
        "country": "IT",
        "language": "it",
        "email": "amministrazione@bianchi.example",
        "phone": "+39 02 1234567",
        "sites": [
            ("Sede centrale", "Via Roma 12", "20121", "Milano", "MI", "IT"),
            ("Stabilimento di Lodi", "Via dell'Industria 4", "26900", "Lodi", "LO", "IT"),
        ],
        "contacts": [
            (
                "Giulia Bianchi",
                "Responsabile manutenzione",
                "+39 02 1234568",
                "giulia.bianchi@bianchi.example",
                0,
            ),
            ("Paolo Verdi", "Capo reparto", "+39 0371 445566", "paolo.verdi@bianchi.example", 1),
        ],
    },
    {
        "name": "Carpenteria Ferri S.r.l.",
        "vat_number": "IT01114601006",
        "sdi_code": "0000000",
        "pec": "amministrazione@pec.carpenteriaferri.example.it",
        "address": "Via Tiburtina 1020",
        "postal_code": "00156",
        "city": "Roma",
        "province": "RM",
        "country": "IT",
        "language": "it",
        "email": "info@ferri.example",
        "phone": "+39 06 4455667",
        "sites": [("Officina", "Via Tiburtina 1020", "00156", "Roma", "RM", "IT")],
        "contacts": [("Luca Ferri", "Titolare", "+39 06 4455668", "luca@ferri.example", 0)],
    },
    {
        "name": "Northern Fabrication Ltd",
        "vat_number": "",
        "vat_regime": "non_eu",
        "sdi_code": "XXXXXXX",
        "address": "12 Mill Lane",
        "postal_code": "LS1 4AP",
        "city": "Leeds",
        "province": "",
        "country": "GB",
        "language": "en",
        "email": "accounts@northernfab.example",
        "phone": "+44 113 496 0000",
        "sites": [
            ("Leeds works", "12 Mill Lane", "LS1 4AP", "Leeds", "", "GB"),
            ("Sheffield plant", "8 Forge Road", "S1 2HE", "Sheffield", "", "GB"),
        ],
        "contacts": [
            (
                "Emma Clarke",
                "Maintenance manager",
                "+44 113 496 0001",
                "emma.clarke@northernfab.example",
                0,
            )
        ],
    },
    {
        "name": "Metallbau Schneider GmbH",
        "vat_number": "DE136695976",
        "vat_regime": "eu_business",
        "sdi_code": "XXXXXXX",
        "address": "Industriestraße 7",
        "postal_code": "70565",
        "city": "Stuttgart",
        "province": "BW",
        "country": "DE",
        "language": "de",
        "email": "service@schneider.example",
        "phone": "+49 711 1234567",
        "sites": [("Werk Stuttgart", "Industriestraße 7", "70565", "Stuttgart", "BW", "DE")],
        "contacts": [
            ("Jonas Schneider", "Werkstattleiter", "+49 711 1234568", "jonas@schneider.example", 0)
        ],
    },
    {
        "name": "Ateliers Mécaniques Durand SAS",
        "vat_number": "FR83404833048",
        "vat_regime": "eu_business",
        "sdi_code": "XXXXXXX",
        "address": "14 rue de l'Industrie",
        "postal_code": "69007",
        "city": "Lyon",
        "province": "",
        "country": "FR",
        "language": "fr",
        "email": "sav@durand.example",
        "phone": "+33 4 78 00 12 34",
        "sites": [("Usine de Lyon", "14 rue de l'Industrie", "69007", "Lyon", "", "FR")],
        "contacts": [
            (
                "Claire Durand",
                "Responsable maintenance",
                "+33 4 78 00 12 35",
                "claire@durand.example",
                0,
            )
        ],
    },
    {
        "name": "Talleres García S.L.",
        "vat_number": "ESB50123454",
        "vat_regime": "eu_business",
        "sdi_code": "XXXXXXX",
        "address": "Calle de la Industria 21",
        "postal_code": "50014",
        "city": "Zaragoza",
        "province": "Z",
        "country": "ES",
        "language": "es",
        "email": "taller@garcia.example",
        "phone": "+34 976 123 456",
        "sites": [("Planta Zaragoza", "Calle de la Industria 21", "50014", "Zaragoza", "Z", "ES")],
        "contacts": [
            (
                "Javier García",
                "Jefe de mantenimiento",
                "+34 976 123 457",
                "javier@garcia.example",
                0,
            )
        ],
    },
    {
        # A public administration: invoiced as FPA12 to its 6-character office code (codice
        # univoco ufficio), under split payment (invoicing/vat.py).
        "name": "Comune di Valdoria - Servizio Manutenzioni",
        "vat_number": "",
        "fiscal_code": "80002460162",
        "is_public_administration": True,
        "sdi_code": "UF7QXK",
        "pec": "protocollo@pec.comune.valdoria.example.it",
        "address": "Piazza del Municipio 1",
        "postal_code": "25121",
        "city": "Valdoria",
        "province": "BS",
        "country": "IT",
        "language": "it",
        "email": "manutenzioni@comune.valdoria.example.it",
        "phone": "+39 030 2977001",
        "sites": [
            ("Officina comunale", "Via dei Mestieri 3", "25121", "Valdoria", "BS", "IT"),
        ],
        "contacts": [
            (
                "Marco Rinaldi",
                "Responsabile officina",
                "+39 030 2977010",
                "m.rinaldi@comune.valdoria.example.it",
                0,
            )
        ],
    },
]


def _italian_vat(index: int) -> str:
    body = f"{1_000_000 + index:07d}001"  # 7 digits, then the tax office code 001
    return "IT" + body + luhn.calc_check_digit(body)


@transaction.atomic
def _seed_base(progress) -> None:
    products = {}
    for code, descriptions in PRODUCTS:
        texts = dict(zip(language_codes(), descriptions, strict=True))
        product, _ = Product.objects.get_or_create(
            code=code, defaults=translations("description", texts)
        )
        products[code] = product
    rng = random.Random(42)
    today = timezone.localdate()
    serial = 1000
    # Every site gets two machines, in turn through the catalogue: every kind of machine is
    # installed somewhere (the demo calls describe problems of a given kind, calls/demo.py).
    codes = sorted(products)
    site_number = 0
    for data in CUSTOMERS:
        data = dict(data)
        sites, contacts = data.pop("sites"), data.pop("contacts")
        customer, _ = Customer.objects.get_or_create(name=data["name"], defaults=data)
        site_objs = []
        for name, address, postal_code, city, province, country in sites:
            site, _ = Site.objects.get_or_create(
                customer=customer,
                name=name,
                defaults={
                    "address": address,
                    "postal_code": postal_code,
                    "city": city,
                    "province": province,
                    "country": country,
                },
            )
            site_objs.append(site)
        for name, role, phone, email, site_index in contacts:
            Contact.objects.get_or_create(
                customer=customer,
                name=name,
                defaults={
                    "role": role,
                    "phone": phone,
                    "email": email,
                    "site": site_objs[site_index],
                },
            )
        for site in site_objs:
            machines = [codes[(2 * site_number + n) % len(codes)] for n in range(2)]
            site_number += 1
            for code in machines:
                serial += 1
                installed = today - datetime.timedelta(days=rng.randint(60, 2000))
                Unit.objects.get_or_create(
                    product=products[code],
                    serial_number=f"{code[:3]}-{serial:06d}",
                    defaults={
                        "site": site,
                        "installation_date": installed,
                        "warranty_end": installed + datetime.timedelta(days=730),
                    },
                )
    progress.step("demo customers", len(CUSTOMERS), len(CUSTOMERS))


def _seed_volume(scale: int, progress) -> None:
    """N x 200 customers, each with 1-2 sites and a contact, and N x 1,000 units."""
    n_customers = 200 * scale
    n_units = 1000 * scale
    rng = random.Random(scale)
    products = list(Product.objects.order_by("code"))
    existing = set(
        Customer.objects.filter(name__startswith="Demo ").values_list("vat_number", flat=True)
    )
    cities = [
        ("Milano", "MI"),
        ("Torino", "TO"),
        ("Bologna", "BO"),
        ("Verona", "VR"),
        ("Brescia", "BS"),
        ("Padova", "PD"),
        ("Bergamo", "BG"),
        ("Firenze", "FI"),
    ]
    batch = 2000
    for start in range(0, n_customers, batch):
        with transaction.atomic():
            new = []
            for i in range(start, min(start + batch, n_customers)):
                vat = _italian_vat(i)
                if vat in existing:
                    continue
                city, province = cities[i % len(cities)]
                new.append(
                    Customer(
                        name=f"Demo {i:06d} Industria S.r.l.",
                        vat_number=vat,
                        sdi_code="0000000",
                        city=city,
                        province=province,
                        country="IT",
                        address=f"Via Demo {i % 300 + 1}",
                        postal_code="20100",
                        language="it" if i % 5 else "en",
                    )
                )
            created = Customer.objects.bulk_create(new)
            _head_offices(created)
            sites = []
            for customer in created:
                sites.append(
                    Site(
                        customer=customer,
                        name="Sede",
                        city=customer.city,
                        province=customer.province,
                        country="IT",
                    )
                )
                if rng.random() < 0.5:
                    sites.append(
                        Site(
                            customer=customer,
                            name="Stabilimento 2",
                            city=customer.city,
                            country="IT",
                        )
                    )
            Site.objects.bulk_create(sites)
            Contact.objects.bulk_create(
                Contact(
                    customer=c,
                    name=f"Referente {c.pk}",
                    role="Manutenzione",
                    email=f"referente{c.pk}@example.com",
                )
                for c in created
            )
        progress.step("generated customers", min(start + batch, n_customers), n_customers)

    site_ids = list(
        Site.objects.filter(customer__name__startswith="Demo ").values_list("pk", flat=True)
    )
    existing_units = Unit.objects.filter(serial_number__startswith="GEN-").count()
    today = timezone.localdate()
    for start in range(existing_units, n_units, 5000):
        with transaction.atomic():
            units = []
            for i in range(start, min(start + 5000, n_units)):
                installed = today - datetime.timedelta(days=rng.randint(30, 3650))
                units.append(
                    Unit(
                        product=products[i % len(products)],
                        serial_number=f"GEN-{i:08d}",
                        site_id=site_ids[i % len(site_ids)],
                        installation_date=installed,
                        warranty_end=installed + datetime.timedelta(days=730),
                    )
                )
            Unit.objects.bulk_create(units, ignore_conflicts=True)
        progress.step("generated units", min(start + 5000, n_units), n_units)


def _head_offices(created: list[Customer]) -> None:
    """Every tenth volume customer is a head office paying for the next three (their calls are
    invoiced to it: the batch invoicing's head-office case, issue 19)."""
    by_name = {customer.name: customer for customer in created}
    plants = []
    for customer in created:
        index = int(customer.name.split()[1])
        head = by_name.get(f"Demo {index - index % 10:06d} Industria S.r.l.")
        if index % 10 in (1, 2, 3) and head is not None:
            customer.billing_customer = head
            plants.append(customer)
    Customer.objects.bulk_update(plants, ["billing_customer"])


def seed(*, scale: int, progress) -> None:
    _seed_base(progress)
    if scale > 0:
        _seed_volume(scale, progress)
