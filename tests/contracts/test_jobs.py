"""The scheduled jobs: registry, command, log of runs, lock; run twice at once they do the
work once (threads on PostgreSQL)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from accounts.models import Role
from contracts.models import FeePeriod
from contracts.services import renew_contracts
from invoicing.models import ContractFee
from service_portal import scheduling
from service_portal.models import JobRun, JobRunStatus
from tests.contracts.factories import make_contract
from tests.factories import make_unit, make_user


@pytest.fixture
def settings_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return settings


@pytest.mark.django_db
def test_every_periodic_job_is_registered():
    names = {job.name for job in scheduling.jobs()}
    assert {
        "sla_warnings",
        "maintenance_plans",
        "contract_fees",
        "contract_renewals",
        "offer_expiry",
        "purge_old_rows",
    } <= names


@pytest.mark.django_db
def test_command_runs_due_jobs_and_logs_them(settings_var, capsys):
    make_user("boss", Role.ADMINISTRATOR)
    make_contract(unit=make_unit(), fee_period=FeePeriod.MONTHLY, fee_amount=Decimal("50"))
    call_command("run_scheduled_jobs")
    assert ContractFee.objects.count() == 1
    runs = {run.job: run for run in JobRun.objects.all()}
    assert runs["contract_fees"].status == JobRunStatus.DONE
    assert runs["contract_fees"].result == "1 fee draft(s) made"
    assert runs["contract_fees"].finished_at is not None
    # run again at once: contract_fees is not due (every 6 h), the SLA warnings are
    call_command("run_scheduled_jobs")
    assert JobRun.objects.filter(job="contract_fees").count() == 1
    assert JobRun.objects.filter(job="sla_warnings").count() == 2
    assert "contract_fees: done" in capsys.readouterr().out


@pytest.mark.django_db
def test_unknown_job_is_refused(settings_var):
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("run_scheduled_jobs", job=["nope"])


@pytest.mark.django_db
def test_a_failing_job_is_logged_and_the_others_run(settings_var, monkeypatch):
    def broken() -> str:
        raise RuntimeError("mail server down")

    monkeypatch.setitem(
        scheduling._REGISTRY, "broken", scheduling.Job("broken", broken, datetime.timedelta(0))
    )
    scheduling.run_all(["broken", "purge_old_rows"])
    assert JobRun.objects.get(job="broken").status == JobRunStatus.FAILED
    assert "mail server down" in JobRun.objects.get(job="broken").result
    assert JobRun.objects.get(job="purge_old_rows").status == JobRunStatus.DONE


@pytest.mark.django_db
def test_a_held_lock_makes_the_other_run_skip(settings_var):
    """Another machine (here a thread with its own connection) holds the job's lock."""
    job = scheduling._REGISTRY["purge_old_rows"]
    held, release = threading.Event(), threading.Event()

    def other_machine() -> None:
        try:
            with scheduling.job_lock(job.name) as got:
                assert got
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_machine)
    thread.start()
    assert held.wait(30)
    try:
        run = scheduling.run_job(job, force=True)
    finally:
        release.set()
        thread.join()
    assert run is not None and run.status == JobRunStatus.SKIPPED


@pytest.mark.django_db
def test_automatic_renewal_moves_the_end_date():
    contract = make_contract(
        unit=make_unit(),
        start=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
        auto_renew=True,
    )
    assert renew_contracts(datetime.date(2026, 3, 1)) == "1 contract(s) renewed"
    contract.refresh_from_db()
    assert contract.end_date == datetime.date(2026, 12, 31)
    assert renew_contracts(datetime.date(2026, 3, 1)) == "0 contract(s) renewed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_machines_running_the_jobs_at_once_do_the_work_once(settings_var):
    make_user("boss", Role.ADMINISTRATOR)
    for _ in range(5):
        make_contract(unit=make_unit(), fee_period=FeePeriod.MONTHLY, fee_amount=Decimal("50"))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def machine() -> None:
        try:
            barrier.wait()
            scheduling.run_all(["contract_fees"], force=True)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=machine) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ContractFee.objects.count() == 5  # one draft per contract, not two
    runs = JobRun.objects.filter(job="contract_fees")
    assert runs.count() == 2
    statuses = sorted(runs.values_list("status", flat=True))
    # either the second waited out the first (done twice, nothing new the second time) or it
    # found the lock held (skipped)
    assert statuses in (["done", "done"], ["done", "skipped"])


@pytest.mark.django_db
def test_offer_expiry_marks_sent_offers_past_their_validity(django_capture_on_commit_callbacks):
    from orders.models import Offer, OfferState
    from orders.services import expire_offers
    from tests.orders.factories import make_sent

    with django_capture_on_commit_callbacks(execute=True):
        offer = make_sent(make_user("seller", Role.OPERATOR))
    Offer.objects.filter(pk=offer.pk).update(valid_until=datetime.date(2026, 1, 31))
    assert expire_offers(datetime.date(2026, 1, 31)) == "0 offer(s) expired"  # valid that day
    assert expire_offers(datetime.date(2026, 2, 1)) == "1 offer(s) expired"
    assert Offer.objects.get(pk=offer.pk).state == OfferState.EXPIRED
    assert expire_offers(datetime.date(2026, 2, 1)) == "0 offer(s) expired"


@pytest.mark.django_db
def test_purge_deletes_only_old_rows():
    import uuid

    from django.utils import timezone

    from service_portal.jobs import purge_old_rows
    from service_portal.models import FormSubmission, RateCounter

    user = make_user("someone", Role.OPERATOR)
    old = FormSubmission.objects.create(token=uuid.uuid4(), user=user)
    FormSubmission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    FormSubmission.objects.create(token=uuid.uuid4(), user=user)
    RateCounter.objects.create(key="old", window_start=0, expires=1, hits=1)
    RateCounter.objects.create(key="new", window_start=0, expires=2**40, hits=1)
    assert purge_old_rows().startswith("purged 1 rate counter(s), 1 form token(s)")
    assert FormSubmission.objects.count() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]
