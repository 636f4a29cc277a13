"""The load test's data side, run inside Django (``manage.py shell``) by ``scripts/loadtest.py``.

``plan()`` reads the seeded database and prints, as JSON, what the virtual users will work on:
units to open calls for, search terms, each technician's open interventions, and for the
administrators disjoint sets of done interventions to verify and of billable calls to invoice
(disjoint so that a refusal can only mean a bug, not two users racing for the same call).

``check()`` reads from stdin what the virtual users recorded as written and prints the problems
found in the database: codes duplicated or with gaps, writes lost or duplicated, numbers skipped.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from collections import Counter as Tally
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from calls import services as call_services
from calls.models import Call, Intervention, InterventionType, NoteKind, State
from customers.models import Unit
from invoicing import selectors as invoicing_selectors
from invoicing.models import Invoice, InvoiceKind, InvoiceState
from planner import services as planner_services
from planner.models import TimeEntry
from service_portal.models import Counter

HOURS_TAG = "load-test "  # prefix of the description of every time entry the load test records
TECHNICIANS = ("tech1", "tech2")


def set_passwords(password: str) -> None:
    """The demo users log in with ``password`` (the seed prints none with --no-logins)."""
    for user in User.objects.filter(username__in=["admin", "operator", *TECHNICIANS]):
        user.set_password(password)
        user.save(update_fields=["password"])


def prepare_work(count: int) -> None:
    """``count`` calls taken, planned and done through the services, half of them verified: work
    for the administrators whatever the seed's scale (the demo alone has one of each)."""
    admin = User.objects.get(username="admin")
    operator = User.objects.get(username="operator")
    technicians = list(User.objects.filter(username__in=TECHNICIANS).order_by("username"))
    kind = InterventionType.objects.filter(is_active=True).order_by("pk").first()
    units = Unit.objects.with_relations().filter(is_active=True).order_by("pk")[:count]
    today = timezone.localdate()
    for index, unit in enumerate(units):
        technician = technicians[index % len(technicians)]
        with transaction.atomic():
            call = call_services.create_call(
                acting_user=operator,
                customer=unit.site.customer,
                site=unit.site,
                unit=unit,
                description="Prepared for the load test: spindle noise.",
            )
            intervention = call.interventions.get()
            call_services.fill_intervention_section(
                intervention=intervention,
                acting_user=operator,
                version=None,
                type=kind,
                requested_date=today,
                technician=technician,
            )
            start = timezone.now() + datetime.timedelta(days=1 + index % 20)
            planner_services.plan_intervention(
                intervention=intervention,
                technician=technician,
                start=start,
                end=start + datetime.timedelta(hours=2),
                acting_user=admin,
                confirm=True,
            )
            planner_services.record_time_entry(
                acting_user=technician,
                user=technician,
                date=today - datetime.timedelta(days=1 + index % 60),
                kind="labour",
                hours=Decimal("1.5"),
                intervention=intervention,
            )
            call_services.add_note(
                intervention=intervention,
                acting_user=technician,
                kind=NoteKind.REPORT,
                text="Bearing replaced, machine tested with the customer.",
            )
            call_services.transition(
                intervention=intervention, to_state=State.DONE, acting_user=technician
            )
            if index % 2:
                call_services.transition(
                    intervention=intervention, to_state=State.VERIFIED, acting_user=admin
                )


def plan(administrators: int = 2) -> None:
    units = list(
        Unit.objects.filter(is_active=True, site__is_active=True, site__customer__is_active=True)
        .order_by("pk")
        .values_list("pk", "site__customer_id", "site_id", "serial_number")[:300]
    )
    calls = Call.objects.order_by("-pk").select_related("customer")[:300]
    users = {u.username: u.pk for u in User.objects.filter(username__in=TECHNICIANS)}
    done = list(
        Intervention.objects.filter(state=State.DONE).order_by("pk").values_list("pk", flat=True)
    )
    to_verify = done[::2]  # the other half stays with the technicians
    groups = [[call.pk for call in calls][:3] for _customer, calls in _billable()]
    hours: dict[str, list[int]] = {}
    for username, pk in users.items():
        hours[username] = list(
            Intervention.objects.filter(technician_id=pk, state__in=[State.PLANNED, State.DONE])
            .exclude(pk__in=to_verify)
            .order_by("-pk")
            .values_list("pk", flat=True)[:200]
        )
    result = {
        "units": units,
        "customers": sorted({c.customer.name for c in calls})[:100],
        "call_codes": [c.code for c in calls][:100],
        "types": list(InterventionType.objects.values_list("pk", flat=True)),
        "technicians": list(users.values()),
        "states": [s.value for s in State],
        "hours": hours,
        "verify": [to_verify[i::administrators] for i in range(administrators)],
        "invoice": [groups[i::administrators] for i in range(administrators)],
        "counters": _counters(),
    }
    print(json.dumps(result))


def _billable():
    return invoicing_selectors.by_customer(invoicing_selectors.billable_calls())


def _counters() -> dict[str, int]:
    return {f"{c.series}:{c.year}": c.value for c in Counter.objects.all()}


def check() -> None:
    """Print {"problems": [...], "facts": {...}} for what the virtual users recorded."""
    written = json.load(sys.stdin)
    problems: list[str] = []
    facts: dict[str, object] = {}
    problems += _check_call_codes()
    problems += _check_calls(written["calls"])
    hours_problems, hours_facts = _check_hours(written["hours"])
    problems += hours_problems
    facts.update(hours_facts)
    problems += _check_invoices(written["invoices"], facts)
    problems += _check_verified(written["verified"])
    print(json.dumps({"problems": problems, "facts": facts}))


def _check_call_codes() -> list[str]:
    """Each year's call codes are 1..counter, once each; intervention codes are the call's code
    followed by 1..k, once each."""
    problems = []
    counters = {
        c.year: c.value for c in Counter.objects.filter(series="call").only("year", "value")
    }
    numbers: dict[int, list[int]] = {}
    for code in Call.objects.values_list("code", flat=True).iterator(chunk_size=5000):
        year, number = code.split("-")
        numbers.setdefault(int(year), []).append(int(number))
    for year, found in numbers.items():
        duplicated = [n for n, k in Tally(found).items() if k > 1]
        missing = sorted(set(range(1, counters.get(year, 0) + 1)) - set(found))
        if duplicated:
            problems.append(f"call codes of {year} duplicated: {duplicated[:10]}")
        if missing:
            problems.append(f"call codes of {year} missing (gaps): {missing[:10]}")
        if max(found) > counters.get(year, 0):
            problems.append(f"call code of {year} beyond its counter: {max(found)}")
    codes = Tally(Intervention.objects.values_list("code", flat=True).iterator(chunk_size=5000))
    duplicated = [c for c, k in codes.items() if k > 1]
    if duplicated:
        problems.append(f"intervention codes duplicated: {duplicated[:10]}")
    per_call: dict[str, list[int]] = {}
    rows = Intervention.objects.values_list("call__code", "number", "code")
    for call_code, number, code in rows.iterator(chunk_size=5000):
        per_call.setdefault(call_code, []).append(number)
        if code != f"{call_code}/{number}":
            problems.append(f"intervention code {code} does not match its call {call_code}")
    gaps = [c for c, found in per_call.items() if sorted(found) != list(range(1, len(found) + 1))]
    if gaps:
        problems.append(f"calls whose interventions are not numbered 1..k: {gaps[:10]}")
    return problems


def _check_calls(created: list[int]) -> list[str]:
    """Every call the operators created is there, once, with its first intervention."""
    problems = []
    duplicated = [pk for pk, k in Tally(created).items() if k > 1]
    if duplicated:
        problems.append(f"two create requests answered with the same call: {duplicated[:10]}")
    found = dict(Call.objects.filter(pk__in=created).values_list("pk", "code"))
    missing = [pk for pk in created if pk not in found]
    if missing:
        problems.append(f"calls created but not in the database: {missing[:10]}")
    firsts = set(
        Intervention.objects.filter(call_id__in=created, number=1).values_list("call_id", flat=True)
    )
    without = [pk for pk in found if pk not in firsts]
    if without:
        problems.append(f"calls created without their first intervention: {without[:10]}")
    return problems


def _check_hours(recorded: list[list]) -> tuple[list[str], dict[str, object]]:
    """Every hours POST that succeeded is one time entry with the hours sent, nothing more."""
    problems = []
    entries = TimeEntry.objects.filter(description__startswith=HOURS_TAG)
    by_tag = Tally(entries.values_list("description", flat=True))
    sent = {tag: Decimal(hours) for tag, hours in recorded}
    stored = dict(entries.values_list("description", "hours"))
    lost = [tag for tag in sent if by_tag[tag] == 0]
    twice = [tag for tag, k in by_tag.items() if k > 1]
    unexpected = [tag for tag in by_tag if tag not in sent]
    wrong = [tag for tag in sent if tag in stored and stored[tag] != sent[tag]]
    for label, tags in (
        ("hours recorded but lost", lost),
        ("hours stored twice", twice),
        ("hours stored although the request failed", unexpected),
        ("hours stored with another value", wrong),
    ):
        if tags:
            problems.append(f"{label}: {tags[:10]}")
    total_sent = sum(sent.values(), Decimal(0))
    total_stored = entries.aggregate(total=Sum("hours"))["total"] or Decimal(0)
    if total_sent != total_stored:
        problems.append(f"hours sent {total_sent} but {total_stored} stored")
    facts = {
        "time entries": entries.count(),
        "hours sent": str(total_sent),
        "hours stored": str(total_stored),
    }
    return problems, facts


def _check_invoices(issued: list[int], facts: dict[str, object]) -> list[str]:
    """Each series and year numbered 1..N without gaps or duplicates; every issue attempt
    (on calls nobody else touched) ended in an issued invoice."""
    problems = []
    rows = Invoice.objects.filter(state=InvoiceState.ISSUED).values_list(
        "kind", "year", "number", "code"
    )
    series: dict[tuple[str, int], list[int]] = {}
    for kind, year, number, code in rows:
        series.setdefault((kind, year), []).append(number)
        prefix = "NC " if kind == InvoiceKind.CREDIT_NOTE else ""
        # The company's invoice series (sezionale), when it has one, ends the code: 2026/0001/SP.
        if not re.fullmatch(rf"{prefix}{year}/{number:04d}(/[^/]+)?", code):
            problems.append(f"invoice {code} does not match its number {year}/{number}")
    for (kind, year), numbers in series.items():
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(f"{kind} numbers of {year} not 1..N: {sorted(numbers)[:20]}")
    states = dict(Invoice.objects.filter(pk__in=issued).values_list("pk", "state"))
    not_issued = [pk for pk in issued if states.get(pk) != InvoiceState.ISSUED]
    if not_issued:
        problems.append(f"invoices the administrators issued but still drafts: {not_issued[:10]}")
    invoiced_elsewhere = Intervention.objects.filter(
        invoices__pk__in=issued, invoices__state=InvoiceState.ISSUED
    ).exclude(state=State.INVOICED)
    if invoiced_elsewhere.exists():
        problems.append("interventions on an issued invoice not marked invoiced")
    facts["invoices issued"] = len(issued)
    return problems


def _check_verified(verified: list[int]) -> list[str]:
    states = dict(Intervention.objects.filter(pk__in=verified).values_list("pk", "state"))
    wrong = [pk for pk in verified if states.get(pk) != State.VERIFIED]
    return [f"interventions verified but not in that state: {wrong[:10]}"] if wrong else []
