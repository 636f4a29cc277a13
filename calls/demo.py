"""Demo calls: intervention types, a dozen calls in several states (made through the services, so
codes, history and statuses are real), and generated volume for --scale."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from calls import services, sla
from calls.models import (
    OPEN_STATES,
    Call,
    ChecklistItem,
    ChecklistTemplate,
    Intervention,
    InterventionType,
    State,
)
from contracts.calendar import WorkingCalendar
from contracts.models import Contract, SlaTarget
from customers.models import Unit
from service_portal.i18n import language_codes, translations
from service_portal.models import Counter

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


@dataclass(frozen=True)
class DemoCall:
    """One demo call: where it stands, the machine its problem is about, when it is visited.

    ``visit`` counts working days from today (0 is today whatever the day, -1 the working day
    before, 1 the next one); a call with a visit is planned on that day by the planner demo
    (planner/demo.py), which also does the visit's work for the calls that are done by now.
    The calls demo brings each call as far as the calls app alone may: new, resolved by phone,
    cancelled, or expected with its type, requested date (the visit's day) and technician.
    """

    target: str
    received: int  # days ago
    priority: str
    product: str  # the code of the machine (customers/demo.py PRODUCTS)
    type: str  # the code of the intervention type (TYPES)
    description: str
    visit: int | None = None
    technician: int = 0  # the first or the second demo technician
    hours: int = 4


DEMO_CALLS = [
    DemoCall(
        State.NEW,
        0,
        "urgent",
        "CMP-300",
        "repair",
        "Il compressore si ferma con allarme E42 dopo pochi minuti.",
    ),
    DemoCall(
        State.NEW, 1, "normal", "CMP-550", "repair", "Rumore anomalo dal gruppo vite all'avvio."
    ),
    DemoCall(
        State.RESOLVED_BY_PHONE,
        2,
        "normal",
        "LAS-2040",
        "repair",
        "Pannello operatore spento: ripristinato l'interruttore del quadro.",
    ),
    DemoCall(
        State.RESOLVED_BY_PHONE,
        9,
        "low",
        "DRY-120",
        "maintenance",
        "Customer asked how to reset the dryer's service counter.",
    ),
    DemoCall(
        State.EXPECTED,
        3,
        "high",
        "CMP-300",
        "repair",
        "Oil leak under the compressor.",
        visit=2,
    ),
    DemoCall(
        State.EXPECTED,
        4,
        "normal",
        "DRY-120",
        "maintenance",
        "Richiesta di manutenzione programmata annuale dell'essiccatore.",
        visit=4,
        technician=1,
    ),
    DemoCall(
        State.PLANNED,
        5,
        "high",
        "CMP-550",
        "repair",
        "Pressure drops under load.",
        visit=0,
    ),
    DemoCall(
        State.PLANNED,
        6,
        "normal",
        "PRS-160",
        "maintenance",
        "Sostituzione filtri dell'olio idraulico e controllo generale della pressa.",
        visit=0,
        technician=1,
    ),
    DemoCall(
        State.PLANNED,
        2,
        "normal",
        "LAS-2040",
        "inspection",
        "Taglio irregolare sul lato destro della lamiera: verificare l'allineamento.",
        visit=1,
        technician=1,
    ),
    DemoCall(
        State.DONE,
        12,
        "normal",
        "LAS-2040",
        "repair",
        "Laser source power lower than expected.",
        visit=-1,
        technician=1,
    ),
    DemoCall(
        State.DONE,
        15,
        "urgent",
        "PRS-160",
        "repair",
        "Press brake stopped: hydraulic alarm.",
        visit=-2,
    ),
    DemoCall(
        State.VERIFIED,
        30,
        "normal",
        "WLD-R6",
        "repair",
        "Cella di saldatura: arco instabile, guaina della torcia usurata.",
        visit=-8,
    ),
    DemoCall(
        State.CANCELLED,
        20,
        "low",
        "CMP-300",
        "repair",
        "Perdita d'aria da un raccordo: il cliente l'ha risolta da sé e annulla la richiesta.",
    ),
]

# How the demo calls resolved by phone were solved (the solutions search shows them).
DEMO_SOLUTIONS = {
    "LAS-2040": "Interruttore del quadro scattato: riarmato al telefono, il pannello si accende.",
    "DRY-120": "Menu Service > Counters, hold OK for five seconds: the counter goes back to zero.",
}
DEMO_MARK = "demo"  # the reason on the demo calls' state changes: re-running adds nothing


def working_day(offset: int, today: datetime.date | None = None) -> datetime.date:
    """Today for 0, else the ``offset``-th working day (Monday to Friday) after or before it."""
    day = today or timezone.localdate()
    step = 1 if offset > 0 else -1
    left = abs(offset)
    while left:
        day += datetime.timedelta(days=step)
        if day.weekday() < 5:
            left -= 1
    return day


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


def _units_by_product() -> dict[str, list[Unit]]:
    units: dict[str, list[Unit]] = {}
    demo_units = (
        Unit.objects.with_relations().exclude(serial_number__startswith="GEN-").order_by("pk")
    )
    for unit in demo_units:
        units.setdefault(unit.product.code, []).append(unit)
    return units


@transaction.atomic
def _seed_calls(types: dict[str, InterventionType]) -> int:
    descriptions = [demo.description for demo in DEMO_CALLS]
    if Call.objects.filter(description__in=descriptions).exists():
        return 0
    operator = User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
    operator = operator or User.objects.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    technicians = list(User.objects.filter(role=Role.TECHNICIAN).order_by("username")[:2])
    units = _units_by_product()
    if not (operator and technicians and units):
        return 0
    now = timezone.now()
    today = timezone.localdate()
    used: dict[str, int] = {}
    created = 0
    for index, demo in enumerate(DEMO_CALLS):
        candidates = units.get(demo.product)
        if not candidates:  # that machine is not installed: no call about it
            continue
        unit = candidates[used.get(demo.product, 0) % len(candidates)]
        used[demo.product] = used.get(demo.product, 0) + 1
        contact = unit.site.customer.contacts.order_by("pk").first()
        call = services.create_call(
            acting_user=operator,
            customer=unit.site.customer,
            site=unit.site,
            contact=contact,
            unit=unit,
            description=demo.description,
            priority=demo.priority,
            received_at=now - datetime.timedelta(days=demo.received, minutes=17 * index),
        )
        created += 1
        intervention = call.interventions.get()
        if demo.target == State.RESOLVED_BY_PHONE:
            services.resolve_by_phone(
                call=call,
                acting_user=operator,
                solution=DEMO_SOLUTIONS.get(demo.product, DEMO_MARK),
            )
        elif demo.target == State.CANCELLED:
            services.transition(
                intervention=intervention,
                to_state=State.CANCELLED,
                acting_user=operator,
                reason=DEMO_MARK,
            )
        elif demo.visit is not None:
            services.fill_intervention_section(
                intervention=intervention,
                acting_user=operator,
                version=None,
                type=types[demo.type],
                requested_date=working_day(demo.visit, today),
                technician=technicians[demo.technician % len(technicians)],
                expected_hours=Decimal(demo.hours),
                what_to_bring="Kit filtri, guarnizioni",
            )
    return created


GEN_MARK = "Generated call"
CALLS_PER_SCALE = 8000  # with one follow-up every fourth call: 10,000 interventions
YEARS = 10
VISITED = (State.DONE, State.VERIFIED, State.INVOICED)


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
                            # A visit that is done happened by today.
                            requested_date=(
                                (min(requested, today) if state in VISITED else requested)
                                if visit
                                else None
                            ),
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


def _attach_contracts(progress) -> None:
    """The generated open calls on sites under a generated contract (contracts/demo.py) get
    the contract and their SLA deadlines, computed here in bulk (``sla.apply_target``)."""
    through = Contract.sites.through
    site_contract = dict(
        through.objects.filter(contract__code__startswith="CA-GEN-").values_list(
            "site_id", "contract_id"
        )
    )
    if not site_contract:
        return
    targets = {
        (t.contract_id, t.priority): t
        for t in SlaTarget.objects.filter(contract_id__in=set(site_contract.values()))
    }
    calls = list(
        Call.objects.filter(
            description__startswith=GEN_MARK,
            contract__isnull=True,
            status__in=list(OPEN_STATES),
            site_id__in=list(site_contract),
        )
    )
    calendar = WorkingCalendar.from_settings()
    for call in calls:
        call.contract_id = site_contract[call.site_id]
        target = targets.get((call.contract_id, call.priority))
        if target is not None:
            sla.apply_target(call, target, calendar, [], False)
    Call.objects.bulk_update(calls, sla.FIELDS, batch_size=1000)
    progress.step("generated calls under contract", len(calls), len(calls))


# The demo checklist of preventive maintenance (issue 21): label texts in it, en, de, fr, es.
DEMO_CHECKLIST_NAME = (
    "Tagliando di manutenzione",
    "Maintenance service sheet",
    "Wartungsprotokoll",
    "Fiche d’entretien",
    "Hoja de mantenimiento",
)
DEMO_CHECKLIST = [
    # kind, required, labels, unit, min, max, options (it / en...: the same words in every language)
    (
        "yes_no",
        True,
        (
            "Protezioni di sicurezza al loro posto",
            "Safety guards in place",
            "Schutzvorrichtungen angebracht",
            "Protections de sécurité en place",
            "Protecciones de seguridad en su sitio",
        ),
        "",
        None,
        None,
        "",
    ),
    (
        "number",
        True,
        (
            "Pressione dell'olio",
            "Oil pressure",
            "Öldruck",
            "Pression d’huile",
            "Presión del aceite",
        ),
        "bar",
        Decimal("2"),
        Decimal("6"),
        "",
    ),
    (
        "choice",
        True,
        (
            "Stato del filtro",
            "Filter state",
            "Filterzustand",
            "État du filtre",
            "Estado del filtro",
        ),
        "",
        None,
        None,
        "OK\nSostituito / Replaced",
    ),
    (
        "text",
        False,
        ("Osservazioni", "Remarks", "Bemerkungen", "Remarques", "Observaciones"),
        "",
        None,
        None,
        "",
    ),
    (
        "photo",
        False,
        (
            "Foto della targhetta",
            "Photo of the nameplate",
            "Foto des Typenschilds",
            "Photo de la plaque signalétique",
            "Foto de la placa de características",
        ),
        "",
        None,
        None,
        "",
    ),
]


@transaction.atomic
def _seed_checklist(types: dict[str, InterventionType]) -> None:
    """Preventive maintenance gets a checklist (before the demo calls, which then get it)."""
    kind = types.get("maintenance")
    if kind is None or ChecklistTemplate.objects.filter(intervention_type=kind).exists():
        return
    codes = language_codes()
    template = ChecklistTemplate.objects.create(
        intervention_type=kind,
        **translations("name", dict(zip(codes, DEMO_CHECKLIST_NAME, strict=True))),
    )
    for position, (item_kind, required, labels, unit, low, high, options) in enumerate(
        DEMO_CHECKLIST, start=1
    ):
        ChecklistItem.objects.create(
            template=template,
            position=position,
            kind=item_kind,
            required=required,
            unit=unit,
            min_value=low,
            max_value=high,
            options=options,
            **translations("label", dict(zip(codes, labels, strict=True))),
        )


def _demo_photo(colour: tuple[int, int, int], text: str) -> bytes:
    """A small picture drawn on the spot (no binary files in the repository)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 720, 520), outline=(255, 255, 255), width=8)
    draw.text((110, 110), text, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def fill_fieldwork(intervention: Intervention, technician: User) -> None:
    """What a demo technician does on site besides hours and parts (issue 21): a "before" and
    an "after" photo, and the checklist's answers. The planner demo calls it before the
    customer signs."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from calls.services import checklists, media

    photos = []
    for tag, colour in (("before", (150, 60, 40)), ("after", (40, 120, 70))):
        upload = SimpleUploadedFile(
            f"{tag}.jpg", _demo_photo(colour, f"{intervention.code} {tag}"), "image/jpeg"
        )
        photo = media.add_photo(intervention=intervention, acting_user=technician, upload=upload)
        media.tag_photo(attachment=photo, acting_user=technician, tag=tag)
        photos.append(photo)
    answers = {}
    for item in ChecklistItem.objects.filter(template_id=intervention.checklist_id):
        answers[item.pk] = {
            "yes_no": "yes",
            "number": "4.2",
            "choice": "OK",
            "text": "",
            "photo": str(photos[0].pk),
        }[item.kind]
    if answers:
        checklists.save_answers(intervention=intervention, acting_user=technician, answers=answers)


def seed(*, scale: int, progress) -> None:
    types = _seed_types()
    _seed_checklist(types)
    created = _seed_calls(types)
    progress.step("demo calls", created, len(DEMO_CALLS))
    if scale:
        _seed_volume(scale, list(types.values()), progress)
        _attach_contracts(progress)
    from calls import demo_maintenance  # preventive maintenance plans and counters

    demo_maintenance.seed(scale=scale, progress=progress)
