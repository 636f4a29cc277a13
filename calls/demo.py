"""Demo calls: intervention types, a dozen calls in several states (made through the services, so
codes, history and statuses are real), and generated volume for --scale."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calls import services
from calls.models import Call, Intervention, InterventionType, NoteKind, State
from customers.models import Unit
from service_portal.i18n import language_codes, translations
from service_portal.models import Counter
from service_portal.roles import Role

TYPES = [
    # code, names (it, en, de, fr, es), warranty
    (
        "repair",
        ("Riparazione", "Repair", "Reparatur", "Réparation", "Reparación"),
        False,
    ),
    (
        "installation",
        ("Installazione", "Installation", "Installation", "Installation", "Instalación"),
        False,
    ),
    (
        "maintenance",
        (
            "Manutenzione preventiva",
            "Preventive maintenance",
            "Vorbeugende Wartung",
            "Maintenance préventive",
            "Mantenimiento preventivo",
        ),
        False,
    ),
    (
        "warranty",
        (
            "Intervento in garanzia",
            "Warranty repair",
            "Garantieeinsatz",
            "Intervention sous garantie",
            "Intervención en garantía",
        ),
        True,
    ),
    (
        "inspection",
        (
            "Sopralluogo",
            "Site inspection",
            "Vor-Ort-Besichtigung",
            "Visite technique",
            "Inspección in situ",
        ),
        False,
    ),
]

# The path each demo call walks through the transition map (after new).
PATHS = {
    State.NEW: [],
    State.RESOLVED_BY_PHONE: [State.RESOLVED_BY_PHONE],
    State.EXPECTED: [State.EXPECTED],
    State.PLANNED: [State.EXPECTED, State.PLANNED],
    State.DONE: [State.EXPECTED, State.PLANNED, State.DONE],
    State.VERIFIED: [State.EXPECTED, State.PLANNED, State.DONE, State.VERIFIED],
    State.CANCELLED: [State.CANCELLED],
}

DEMO_CALLS = [
    # target state, days ago, priority, description
    (State.NEW, 0, "urgent", "La macchina si ferma con allarme E42 dopo pochi minuti."),
    (State.NEW, 1, "normal", "Rumore anomalo dal gruppo vite all'avvio."),
    (State.RESOLVED_BY_PHONE, 2, "normal", "Display spento: ripristinato l'interruttore."),
    (State.RESOLVED_BY_PHONE, 9, "low", "Customer asked how to reset the service counter."),
    (State.EXPECTED, 3, "high", "Oil leak under the compressor."),
    (State.EXPECTED, 4, "normal", "Richiesta di manutenzione programmata annuale."),
    (State.PLANNED, 5, "high", "Pressure drops under load."),
    (State.PLANNED, 6, "normal", "Sostituzione filtri e controllo generale."),
    (State.DONE, 12, "normal", "Laser source power lower than expected."),
    (State.DONE, 15, "urgent", "Press brake stopped: hydraulic alarm."),
    (State.VERIFIED, 30, "normal", "Installazione nuova cella di saldatura."),
    (State.CANCELLED, 20, "low", "Richiesta annullata dal cliente."),
]

DEMO_MARK = "demo"  # the reason on the demo calls' state changes: re-running adds nothing


@transaction.atomic
def _seed_types() -> dict[str, InterventionType]:
    types = {}
    for position, (code, names, warranty) in enumerate(TYPES):
        kind, _ = InterventionType.objects.get_or_create(
            code=code,
            defaults={
                **translations("name", dict(zip(language_codes(), names, strict=True))),
                "is_warranty": warranty,
                "position": position,
            },
        )
        types[code] = kind
    return types


@transaction.atomic
def _seed_calls(types: dict[str, InterventionType]) -> int:
    descriptions = [d for *_, d in DEMO_CALLS]
    if Call.objects.filter(description__in=descriptions).exists():
        return 0
    admin = User.objects.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    operator = User.objects.filter(role=Role.OPERATOR).order_by("pk").first() or admin
    technicians = list(User.objects.filter(role=Role.TECHNICIAN).order_by("pk")[:2])
    units = list(
        Unit.objects.with_relations()
        .exclude(serial_number__startswith="GEN-")
        .order_by("pk")[: len(DEMO_CALLS)]
    )
    if not (admin and technicians and units):
        return 0
    now = timezone.now()
    type_list = list(types.values())
    for index, (target, days_ago, priority, description) in enumerate(DEMO_CALLS):
        unit = units[index % len(units)]
        contact = unit.site.customer.contacts.order_by("pk").first()
        call = services.create_call(
            acting_user=operator,
            customer=unit.site.customer,
            site=unit.site,
            contact=contact,
            unit=unit,
            description=description,
            priority=priority,
            received_at=now - datetime.timedelta(days=days_ago, hours=index),
        )
        intervention = call.interventions.get()
        technician = technicians[index % len(technicians)]
        for step in PATHS[target]:
            if step == State.EXPECTED:
                services.fill_intervention_section(
                    intervention=intervention,
                    acting_user=operator,
                    version=None,
                    type=type_list[index % len(type_list)],
                    requested_date=(now + datetime.timedelta(days=index - 6)).date(),
                    technician=technician,
                    expected_hours=4,
                    what_to_bring="Kit filtri, guarnizioni",
                )
                continue
            if step == State.RESOLVED_BY_PHONE:
                services.resolve_by_phone(call=call, acting_user=operator, reason=DEMO_MARK)
                continue
            actor = technician if step == State.DONE else admin
            if step == State.DONE:
                services.add_note(
                    intervention=intervention,
                    acting_user=technician,
                    kind=NoteKind.REPORT,
                    text="Sostituita la guarnizione, macchina collaudata con il cliente.",
                )
                _seed_actuals(intervention, technician, now)
            services.transition(
                intervention=intervention, to_state=step, acting_user=actor, reason=DEMO_MARK
            )
    return len(DEMO_CALLS)


def _seed_actuals(intervention, technician, now) -> None:
    """Travel kilometres and one spare part on a demo intervention that gets done."""
    from calls.services import actuals
    from orders.models import SparePart

    actuals.add_expense(
        intervention=intervention,
        acting_user=technician,
        kind="km",
        date=(now - datetime.timedelta(days=1)).date(),
        km=Decimal("84"),
        km_rate=Decimal("0.55"),
        note="A/R sede cliente",
    )
    part = SparePart.objects.filter(is_active=True).order_by("code").first()
    if part is not None:
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            spare_part=part,
            quantity=Decimal("1"),
            serial_or_lot="L2611",
        )


GEN_MARK = "Generated call"
CALLS_PER_SCALE = 8000  # with one follow-up every fourth call: 10,000 interventions
YEARS = 10


def _seed_volume(scale: int, types: list[InterventionType], progress) -> None:
    """N x 10,000 interventions over ten years, bulk-created, with codes taken from the same
    counters the services use (so new calls continue the sequence without collisions)."""
    wanted = CALLS_PER_SCALE * scale
    existing = Call.objects.filter(description__startswith=GEN_MARK).count()
    if existing >= wanted:
        return
    units = list(
        Unit.objects.filter(serial_number__startswith="GEN-").values_list(
            "pk", "site_id", "site__customer_id"
        )
    )
    technicians = list(User.objects.filter(role=Role.TECHNICIAN).values_list("pk", flat=True))
    creator = User.objects.filter(role=Role.OPERATOR).values_list("pk", flat=True).first()
    if not (units and technicians and creator):
        progress.note("calls: no generated units or users, volume skipped")
        return
    rng = random.Random(scale * 7919)
    now = timezone.now()
    today = timezone.localdate()
    span = datetime.timedelta(days=365 * YEARS)
    batch = 4000
    for start in range(existing, wanted, batch):
        count = min(batch, wanted - start)
        moments = sorted(now - span * rng.random() for _ in range(count))
        with transaction.atomic():
            calls = []
            by_year: dict[int, list[datetime.datetime]] = {}
            for moment in moments:
                by_year.setdefault(timezone.localtime(moment).year, []).append(moment)
            for year, year_moments in sorted(by_year.items()):
                Counter.objects.bulk_create(
                    [Counter(series="call", year=year, value=0)], ignore_conflicts=True
                )
                counter = Counter.objects.select_for_update().get(series="call", year=year)
                first = counter.value + 1
                counter.value += len(year_moments)
                counter.save(update_fields=["value"])
                for offset, moment in enumerate(year_moments):
                    unit_id, site_id, customer_id = units[rng.randrange(len(units))]
                    age = (today - timezone.localtime(moment).date()).days
                    calls.append(
                        Call(
                            code=f"{year}-{first + offset:06d}",
                            received_at=moment,
                            channel=rng.choice(["phone", "phone", "phone", "email", "web"]),
                            customer_id=customer_id,
                            site_id=site_id,
                            unit_id=unit_id,
                            description=f"{GEN_MARK} {start + len(calls)}",
                            priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
                            status=_generated_state(rng, age),
                            created_by_id=creator,
                        )
                    )
            Call.objects.bulk_create(calls, batch_size=2000)
            interventions = []
            for index, call in enumerate(calls):
                requested = timezone.localtime(call.received_at).date() + datetime.timedelta(
                    days=rng.randint(1, 20)
                )
                numbers = [1, 2] if index % 4 == 3 else [1]
                for number in numbers:
                    last = number == numbers[-1]
                    state = call.status if last else State.DONE
                    visit = state not in (State.NEW, State.RESOLVED_BY_PHONE)
                    interventions.append(
                        Intervention(
                            call=call,
                            number=number,
                            code=f"{call.code}/{number}",
                            type=rng.choice(types) if visit else None,
                            requested_date=requested if visit else None,
                            technician_id=rng.choice(technicians) if visit else None,
                            expected_hours=rng.choice([2, 4, 8]) if visit else None,
                            state=state,
                            state_changed_at=call.received_at,
                        )
                    )
            Intervention.objects.bulk_create(interventions, batch_size=2000)
        progress.step("generated calls", start + count, wanted)


def _generated_state(rng: random.Random, age_days: int) -> str:
    """Old calls are closed; the last weeks hold the open work."""
    if age_days > 90:
        return rng.choices(
            [State.INVOICED, State.RESOLVED_BY_PHONE, State.CANCELLED, State.VERIFIED],
            weights=[60, 30, 5, 5],
        )[0]
    return rng.choice(
        [State.NEW, State.EXPECTED, State.QUOTED, State.PLANNED, State.DONE, State.VERIFIED]
    )


def seed(*, scale: int, progress) -> None:
    types = _seed_types()
    created = _seed_calls(types)
    progress.step("demo calls", created, len(DEMO_CALLS))
    if scale:
        _seed_volume(scale, list(types.values()), progress)
