"""The calls waiting to be invoiced that the batch preview reads (``CallToInvoice``, kept by the
database in the transaction of each change): after verifying, drafting, taking a call off a
draft, issuing, crediting, reopening, a follow-up visit and a call moved to another customer,
the rows equal the same figures recomputed from scratch, and the preview shows the figures
worked by hand."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from accounts.models import Role
from calls import services as call_services
from calls.models import Call, Intervention, State
from invoicing import batches, credits, selectors, services, waiting
from invoicing.models import CallToInvoice, Invoice, VerifiedFigures
from tests.calls.factories import make_call
from tests.factories import make_customer, make_site, make_unit, make_user
from tests.invoicing.factories import make_done_intervention
from tests.invoicing.test_concurrency import _run

# One intervention of make_done_intervention, billed with the standard quote: taxable 422.70,
# total 512.73 (worked in tests/invoicing/factories.py).
TAXABLE, TOTAL = Decimal("422.70"), Decimal("512.73")


@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


def _kept() -> dict[int, tuple]:
    return {
        row.call_id: (
            row.customer_id,
            row.last_verified_at,
            row.interventions,
            row.taxable,
            row.total,
            row.without_figures,
        )
        for row in CallToInvoice.objects.all()
    }


def _from_scratch() -> dict[int, tuple]:
    """The same rows computed in Python from the calls to invoice (selectors.billable_calls)."""
    rows = {}
    for call in selectors.billable_calls().prefetch_related("interventions__verified_figures"):
        verified = [i for i in call.interventions.all() if i.state == State.VERIFIED]
        figures = [i.verified_figures for i in verified if hasattr(i, "verified_figures")]
        times = [i.state_changed_at for i in verified if i.state_changed_at is not None]
        rows[call.pk] = (
            call.customer_id,
            max(times) if times else None,
            len(verified),
            sum((f.taxable for f in figures), start=Decimal(0)) if figures else None,
            sum((f.total for f in figures), start=Decimal(0)) if figures else None,
            len(verified) - len(figures),
        )
    return rows


def _preview(day: datetime.date | None = None) -> dict[int, tuple]:
    """{payer id: (calls, interventions, taxable, total, without figures)} as the page shows."""
    day = day or timezone.localdate()
    payers = list(batches.preview_payers(day))
    return {
        d.payer.pk: (d.calls, d.interventions, d.taxable, d.total, d.without_figures)
        for d in batches.preview_details(payers, day)
    }


def _check() -> None:
    assert _kept() == _from_scratch()


def _done_call(customer) -> Call:
    unit = make_unit(make_site(customer))
    return make_done_intervention(call=make_call(unit=unit)).call


def _verify(call: Call, admin) -> None:
    for intervention in call.interventions.filter(state=State.DONE):
        services.verify(intervention=intervention, acting_user=admin)


@pytest.mark.django_db
def test_the_kept_rows_follow_every_step_of_the_invoicing(admin):
    head = make_customer(name="Holding Nord S.p.A.")
    plant = make_customer(name="Plant 1 S.r.l.", billing_customer=head)
    alpha = make_customer(name="Alpha S.p.A.")
    c1, c2 = _done_call(plant), _done_call(alpha)
    c3 = make_call(unit=make_unit(make_site(alpha)), with_contact=False)
    assert _kept() == {} and _preview() == {}

    # verified: the plant's call goes to the head office; c3 verified without figures
    _verify(c1, admin)
    _verify(c2, admin)
    Intervention.objects.filter(call=c3).update(state=State.VERIFIED, state_changed_at=None)
    _check()
    assert _preview() == {
        head.pk: (1, 1, TAXABLE, TOTAL, 0),
        alpha.pk: (2, 2, TAXABLE, TOTAL, 1),
    }

    # on a draft: no longer waiting; taken off the draft (the draft goes): waiting again
    draft = services.create_draft(calls=[c2], acting_user=admin)
    _check()
    assert _preview()[alpha.pk] == (1, 1, None, None, 1)
    assert batches.remove_call(invoice=draft, call=c2, acting_user=admin) is None
    _check()
    assert _preview()[alpha.pk] == (2, 2, TAXABLE, TOTAL, 1)

    # invoiced: the head office has nothing left; credited with re-billing: back
    invoice = services.issue(
        invoice=services.create_draft(calls=[c1], acting_user=admin), acting_user=admin
    )
    _check()
    assert head.pk not in _preview()
    credits.issue_credit_note(invoice=invoice, acting_user=admin, reason="Wrong hours")
    _check()
    assert _preview()[head.pk] == (1, 1, TAXABLE, TOTAL, 0)

    # "up to" a day: c1 verified ten days ago is taken five days back, the others are not
    Intervention.objects.filter(call=c1).update(
        state_changed_at=timezone.now() - datetime.timedelta(days=10)
    )
    _check()
    five_days_ago = timezone.localdate() - datetime.timedelta(days=5)
    assert _preview(five_days_ago) == {
        head.pk: (1, 1, TAXABLE, TOTAL, 0),
        alpha.pk: (1, 1, None, None, 1),  # c3: verified with no time, never held back
    }

    # reopened (verified -> done, figures dropped): c2 no longer waits
    (second,) = c2.interventions.all()
    services.reopen(intervention=second, acting_user=admin, reason="Hours to check")
    _check()
    assert _preview()[alpha.pk] == (1, 1, None, None, 1)

    # a follow-up visit opened on c3: the call is not finished, it no longer waits
    follow_up = call_services.add_follow_up_intervention(
        call=c3, acting_user=admin, reason="Second visit"
    )
    _check()
    assert alpha.pk not in _preview()
    Intervention.objects.filter(pk=follow_up.pk).update(state=State.CANCELLED)  # not needed
    _check()
    assert _preview()[alpha.pk] == (1, 1, None, None, 1)

    # the call moved to another customer; the plant paying for itself from now on
    beta = make_customer(name="Beta S.r.l.")
    Call.objects.filter(pk=c3.pk).update(customer=beta)
    plant.billing_customer = None
    plant.save()
    _check()
    assert _preview() == {
        beta.pk: (1, 1, None, None, 1),
        plant.pk: (1, 1, TAXABLE, TOTAL, 0),
    }

    # recomputed from scratch (the command): the same rows
    before = _kept()
    call_command("rebuild_calls_to_invoice", verbosity=0)
    assert _kept() == before


@pytest.mark.django_db
def test_triggers_dropped_by_a_migration_are_put_back_with_the_rows(admin):
    call = _done_call(make_customer())
    _verify(call, admin)
    waiting.uninstall()
    Intervention.objects.filter(call=call).update(state=State.DONE)  # not seen meanwhile
    assert call.pk in _kept()
    waiting.install()  # what every migrate does (invoicing.apps)
    if connection.vendor == "sqlite":  # the missing triggers made it recompute the rows
        assert _kept() == {}
    waiting.rebuild()
    _check()
    Intervention.objects.filter(call=call).update(state=State.VERIFIED)
    assert call.pk in _kept()


@pytest.mark.django_db
def test_rows_follow_what_an_import_writes_in_place(admin):
    """Writes no service makes but an import or a ``update()`` may: verified figures corrected,
    figures moved to another intervention, a draft's call swapped for another."""
    customer = make_customer()
    c1, c2, c3 = (_done_call(customer) for _ in range(3))
    for call in (c1, c2):
        _verify(call, admin)
    Intervention.objects.filter(call=c3).update(state=State.VERIFIED)  # no figures
    figures = VerifiedFigures.objects.filter(intervention__call=c1)
    figures.update(taxable=F("taxable") + 1, total=F("total") + 1)
    _check()
    assert _kept()[c1.pk][3:5] == (TAXABLE + 1, TOTAL + 1)
    figures.update(intervention=c3.interventions.get())  # c1 loses them, c3 gains them
    _check()
    assert _kept()[c1.pk][3:] == (None, None, 1) and _kept()[c3.pk][3:] == (
        TAXABLE + 1,
        TOTAL + 1,
        0,
    )
    draft = services.create_draft(calls=[c2], acting_user=admin)
    Invoice.calls.through.objects.filter(invoice=draft).update(call=c1)
    _check()
    assert c1.pk not in _kept() and c2.pk in _kept()


def _installed() -> set[tuple[str, str, tuple[str, ...]]]:
    """(table, event, the columns of an UPDATE OF) of the triggers that rewrite the calls to
    invoice, as the database's catalogue lists them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE %s",
                [f"%{waiting.TABLE}%"],
            )
            found = set()
            for (sql,) in cursor.fetchall():
                table, event, of = _SQLITE_EVENT.search(sql).group("table", "event", "of")
                found.add((table, event, tuple(of.split(", ")) if of else ()))
            return found
        cursor.execute(
            """
            SELECT c.relname, t.tgtype,
                   ARRAY(SELECT a.attname FROM unnest(t.tgattr) WITH ORDINALITY AS u(n, i)
                         JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = u.n
                         ORDER BY u.i)
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND p.prosrc LIKE %s
            """,
            ["%invoicing_refresh_calls_to_invoice%"],
        )
        found = set()
        for table, tgtype, of in cursor.fetchall():
            assert tgtype & _PG_ROW and not tgtype & _PG_BEFORE, "AFTER ... FOR EACH ROW"
            for event, bit in _PG_EVENTS.items():
                if tgtype & bit:
                    found.add((table, event, tuple(of) if event == "UPDATE" else ()))
        return found


_SQLITE_EVENT = re.compile(r"AFTER (?P<event>\w+)(?: OF (?P<of>[\w, ]+?))? ON (?P<table>\w+)")
# pg_trigger.tgtype's bits (PostgreSQL's catalog/pg_trigger.h)
_PG_ROW, _PG_BEFORE = 1, 2
_PG_EVENTS = {"INSERT": 4, "DELETE": 8, "UPDATE": 16}


@pytest.mark.django_db
def test_every_declared_trigger_is_installed_and_the_reverse_drops_them_all():
    declared = {(t.table, t.event, t.of) for t in waiting.TRIGGERS}
    assert len(declared) == len(waiting.TRIGGERS) == 11
    assert _installed() == declared
    waiting.uninstall()  # the migration's reverse
    assert _installed() == set()
    waiting.install()
    assert _installed() == declared


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
@pytest.mark.django_db
def test_a_change_locks_the_bucket_of_each_call_it_touches(admin):
    """Two transactions changing the same call take turns: the rewrite holds, until the end of
    the transaction, the advisory lock of the call's bucket (its id modulo 256)."""
    calls = [_done_call(make_customer()) for _ in range(2)]
    Intervention.objects.filter(call__in=calls).update(state=State.VERIFIED)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT classid::bigint, objid::bigint FROM pg_locks WHERE locktype = 'advisory' "
            "AND pid = pg_backend_pid() AND granted AND classid = %s",
            [0x4349 << 16],  # 'CI' in the top bits of the key
        )
        assert set(cursor.fetchall()) == {(0x4349 << 16, call.pk % 256) for call in calls}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_of_one_customer_lose_nothing(admin):
    """Six administrators verify at once: two interventions of the same call, four other calls
    of the same customer. Every row ends as a recomputation from scratch gives it."""
    customer = make_customer(name="Busy S.p.A.")
    shared = _done_call(customer)
    second = call_services.add_follow_up_intervention(
        call=shared, acting_user=admin, reason="Second visit"
    )
    Intervention.objects.filter(pk=second.pk).update(state=State.DONE)
    interventions = list(shared.interventions.order_by("number"))
    interventions += [first for c in range(4) for first in _done_call(customer).interventions.all()]
    admins = [make_user(f"boss{n}", Role.ADMINISTRATOR) for n in range(len(interventions))]

    def work(index):
        services.verify(intervention=interventions[index], acting_user=admins[index])

    assert not _run(len(interventions), work)
    _check()
    calls, count, taxable, total, without = _preview()[customer.pk]
    assert (calls, count, without) == (5, 6, 0)
    # five first visits at the standard quote, plus the follow-up's own figures
    follow_up = Intervention.objects.get(pk=second.pk).verified_figures
    assert total == 5 * TOTAL + follow_up.total
    assert taxable == 5 * TAXABLE + follow_up.taxable
