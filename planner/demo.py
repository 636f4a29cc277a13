"""Demo planner: activities and hours for the demo technicians, then volume for --scale.

The base demo plans the visits of the calls demo's calls (calls/demo.py ``DEMO_CALLS``: each
demo technician has a visit today, more this week and next) through the planner's services, does
the work of the visits that are done by now (hours, report, kilometres, a part, the customer's
signature), adds training, office and holiday activities ahead and office hours on the last
working days: everything the product's rules allow, dated relative to today.

``--scale N`` adds N x 20,000 time entries (about 2,000,000 at scale 100) with ``bulk_create``:
half-hour entries for every technician on the working days of about ten years, going back in
time, so no day exceeds the limits the services enforce.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from calls.demo import DEMO_CALLS, DemoCall, fill_fieldwork, working_day
from calls.models import Intervention, NoteKind, SignedReport, State
from calls.services import actuals, add_note, transition
from orders.models import SparePart
from planner.models import Activity, ActivityKind, TimeEntry, WorkKind
from planner.services import plan_intervention, record_time_entry

VOLUME_MARK = "Generated for benchmarks"
PLANNABLE = (State.EXPECTED, State.QUOTED)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def _working_days(start: datetime.date, step: int, count: int) -> list[datetime.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=step)
    return days


def _signature_png() -> bytes:
    """A scribble standing for the customer's signature on the demo's completed visits."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (240, 80), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(10, 60), (40, 20), (70, 55), (100, 25), (130, 50), (170, 30), (225, 45)],
        fill=(20, 30, 90, 255),
        width=3,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def visit(demo: DemoCall, office: User, technicians: list[User], today: datetime.date) -> None:
    """Plan one demo call's visit; if the call is done by now, do the visit's work too."""
    intervention = (
        Intervention.objects.filter(call__description=demo.description, state__in=PLANNABLE)
        .select_related("technician")
        .first()
    )
    if intervention is None or demo.visit is None:
        return
    technician = intervention.technician or technicians[demo.technician % len(technicians)]
    day = working_day(demo.visit, today)
    start = _at(day, 8 if demo.visit < 0 else 9)
    result = plan_intervention(
        intervention=intervention,
        technician=technician,
        start=start,
        end=start + datetime.timedelta(hours=demo.hours),
        acting_user=office,
        confirm=True,
    )
    if demo.target == State.PLANNED:
        return
    # The visit happened: the technician's hours, report, kilometres and part, the signature.
    for kind, hours in ((WorkKind.LABOUR, "3.5"), (WorkKind.TRAVEL, "1")):
        record_time_entry(
            acting_user=technician,
            user=technician,
            date=day,
            kind=kind,
            hours=Decimal(hours),
            intervention=intervention,
            activity=result.activity,
        )
    add_note(
        intervention=intervention,
        acting_user=technician,
        kind=NoteKind.REPORT,
        text="Intervento eseguito, macchina collaudata con il cliente.",
    )
    actuals.add_expense(
        intervention=intervention,
        acting_user=technician,
        kind="km",
        date=day,
        km=Decimal("84"),
        km_rate=Decimal("0.55"),
        note="A/R sede cliente",
    )
    part = (
        SparePart.objects.filter(is_active=True, products=intervention.call.unit.product_id)
        .order_by("code")
        .first()
    )
    if part is not None:
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            spare_part=part,
            quantity=Decimal("1"),
            serial_or_lot="L2611",
        )
    fill_fieldwork(intervention, technician)  # photos and the checklist (issue 21)
    signed_by = intervention.call.contact.name if intervention.call.contact else "Cliente"
    actuals.complete_intervention(
        intervention=intervention,
        acting_user=technician,
        signature_png=_signature_png(),
        signed_by=signed_by,
    )
    # Signed at the end of the visit, not when the demo ran.
    signed_at = start + datetime.timedelta(hours=demo.hours)
    Intervention.objects.filter(pk=intervention.pk).update(signed_at=signed_at)
    SignedReport.objects.filter(intervention=intervention).update(signed_at=signed_at)
    if demo.target == State.VERIFIED:
        transition(intervention=intervention, to_state=State.VERIFIED, acting_user=office)


def _seed_base(office: User, technicians: list[User]) -> None:
    today = timezone.localdate()
    for demo in DEMO_CALLS:
        if demo.target in (State.PLANNED, State.DONE, State.VERIFIED):
            visit(demo, office, technicians, today)
    ahead = _working_days(today + datetime.timedelta(days=1), 1, 6)
    past = _working_days(today - datetime.timedelta(days=1), -1, 5)
    for index, technician in enumerate(technicians):
        Activity.objects.create(
            technician=technician,
            kind=ActivityKind.TRAINING,
            start=_at(ahead[1], 14),
            end=_at(ahead[1], 17),
            notes="Corso sicurezza PES/PAV" if technician.language == "it" else "Safety course",
            created_by=office,
        )
        Activity.objects.create(
            technician=technician,
            kind=ActivityKind.OFFICE,
            start=_at(ahead[2], 8),
            end=_at(ahead[2], 12),
            created_by=office,
        )
        if index == 1:
            Activity.objects.create(
                technician=technician,
                kind=ActivityKind.HOLIDAY,
                start=_at(ahead[4], 0),
                end=_at(ahead[4] + datetime.timedelta(days=1), 0),
                all_day=True,
                created_by=office,
            )
        for day in past:
            record_time_entry(
                acting_user=technician,
                user=technician,
                date=day,
                kind=WorkKind.OFFICE,
                hours=Decimal("1.5"),
                description="Rapportini e ordini ricambi",
            )


ENTRIES_PER_SCALE = 20_000  # about 2,000,000 time entries at the largest scale (100)
YEARS = 10
SLOT = Decimal("0.5")  # each generated entry is half an hour: at most 16 a day, 8 hours


def _seed_volume(scale: int, technicians: list[User], office: User, progress) -> None:
    """``ENTRIES_PER_SCALE`` x N time entries spread over the last ten years' working days of
    every technician (as many per day as needed, half an hour each), plus one office activity
    per technician and day, bulk-created in batches."""
    assigned: dict[int, list[int]] = {}
    rows = Intervention.objects.filter(technician__in=technicians).exclude(state=State.INVOICED)
    for pk, technician_id in rows.values_list("pk", "technician_id")[: 2000 * scale]:
        assigned.setdefault(technician_id, []).append(pk)
    target = ENTRIES_PER_SCALE * scale
    existing = TimeEntry.objects.filter(description=VOLUME_MARK).count()
    missing = target - existing
    if missing <= 0:
        progress.step("time entries", target, target)
        return
    per_day = min(16, max(3, -(-missing // (len(technicians) * 261 * YEARS))))
    # Start before the oldest generated day so a second run with a larger scale adds, not clashes.
    oldest = TimeEntry.objects.filter(description=VOLUME_MARK).order_by("date").values_list(
        "date", flat=True
    ).first() or timezone.localdate() - datetime.timedelta(days=14)
    day = oldest - datetime.timedelta(days=1)
    kinds = (WorkKind.LABOUR, WorkKind.TRAVEL, WorkKind.OFFICE)
    entries: list[TimeEntry] = []
    activities: list[Activity] = []
    done = 0
    turn = 0
    while done + len(entries) < missing:
        if day.weekday() < 5:
            for technician in technicians:
                own = assigned.get(technician.pk) or [None]
                for slot in range(per_day):
                    kind = kinds[slot % 3]
                    intervention_id = own[turn % len(own)] if kind != WorkKind.OFFICE else None
                    turn += 1
                    if kind == WorkKind.LABOUR and intervention_id is None:
                        kind = WorkKind.OFFICE
                    entries.append(
                        TimeEntry(
                            user=technician,
                            date=day,
                            kind=kind,
                            hours=SLOT,
                            intervention_id=intervention_id,
                            description=VOLUME_MARK,
                            created_by=technician,
                        )
                    )
                activities.append(
                    Activity(
                        technician=technician,
                        kind=ActivityKind.OFFICE,
                        start=_at(day, 8),
                        end=_at(day, 10),
                        notes=VOLUME_MARK,
                        created_by=office,
                    )
                )
        day -= datetime.timedelta(days=1)
        if len(entries) >= 20_000:
            TimeEntry.objects.bulk_create(entries, batch_size=5000)
            Activity.objects.bulk_create(activities, batch_size=5000)
            done += len(entries)
            entries, activities = [], []
            progress.step("time entries", min(existing + done, target), target)
    TimeEntry.objects.bulk_create(entries, batch_size=5000)
    Activity.objects.bulk_create(activities, batch_size=5000)
    progress.step("time entries", target, target)


def seed(*, scale: int, progress) -> None:
    technicians = list(
        User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by("username")
    )
    office = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if not technicians or office is None:
        progress.note("planner: no technicians or administrator, nothing to plan")
        return
    with transaction.atomic():
        if not Activity.objects.exclude(notes=VOLUME_MARK).exists():
            _seed_base(office, technicians[:2])
    progress.step("activities", Activity.objects.count(), Activity.objects.count())
    if scale > 0:
        with transaction.atomic():
            _seed_volume(scale, technicians, office, progress)
