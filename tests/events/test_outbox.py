"""The outbox and its deliveries: written with the change, signed, in order per record,
retried with backoff, disabled after failures, replayed by an administrator."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from events import signing
from events.delivery import backoff, body_of, deliver_due
from events.models import Delivery, DeliveryAttempt, DeliveryState, Event, WebhookEndpoint
from events.outbox import emit
from events.services import WebhookError, enable_endpoint, replay
from scripts.fake_erp import FakeErp, verify
from tests.factories import make_customer

SECRET = "s3cret-for-tests"  # noqa: S105


@pytest.fixture
def erp():
    receiver = FakeErp(secret=SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def endpoint(db, erp):
    return WebhookEndpoint.objects.create(name="ERP", url=erp.url, secret=SECRET)


def _emit(record, event_type="order.changed", **payload):
    with transaction.atomic():
        return emit(event_type, record, payload)


def test_an_event_is_written_with_the_change_or_not_at_all(db, endpoint):
    customer = make_customer()
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("order.changed", customer, {"n": 1})
        raise RuntimeError("the change fails")
    assert not Event.objects.exists() and not Delivery.objects.exists()
    event = _emit(customer, n=1)
    assert Delivery.objects.get().event == event


def test_emit_refuses_an_unknown_type(db):
    customer = make_customer()
    with pytest.raises(ValueError, match="Unknown event type"), transaction.atomic():
        emit("order.exploded", customer, {})


def test_an_endpoint_gets_only_the_types_it_chose(db, erp):
    WebhookEndpoint.objects.create(name="i", url=erp.url, event_types=["invoice.issued"])
    customer = make_customer()
    _emit(customer, "order.changed")
    _emit(customer, "invoice.issued")
    assert list(Delivery.objects.values_list("event__event_type", flat=True)) == ["invoice.issued"]


def test_deliveries_are_signed_and_the_receiver_verifies_them(db, endpoint, erp):
    customer = make_customer()
    event = _emit(customer, amount="10.50")
    outcome = deliver_due()
    assert outcome.delivered == 1 and erp.rejected == 0
    assert erp.events == [json.loads(body_of(event))]
    assert erp.events[0]["data"] == {"amount": "10.50"}
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED and delivery.last_status == 204
    assert DeliveryAttempt.objects.get().status_code == 204


def test_a_receiver_refuses_a_wrong_secret_a_changed_body_and_an_old_timestamp(db, endpoint, erp):
    customer = make_customer()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret="not-the-shared-one")
    _emit(customer)
    outcome = deliver_due()
    assert outcome.failed == 1 and erp.rejected == 1 and erp.events == []
    assert Delivery.objects.get().last_status == 401
    # The receiver's check itself, piece by piece.
    body = b'{"id":1}'
    now = int(timezone.now().timestamp())
    good = signing.sign(SECRET, now, body)
    assert verify(SECRET, str(now), body, good)
    assert signing.verify(SECRET, str(now), body, good)
    assert not verify(SECRET, str(now), b'{"id":2}', good)
    assert not verify(SECRET, str(now + 1), body, good)
    old = now - 3600
    assert not verify(SECRET, str(old), body, signing.sign(SECRET, old, body))
    assert not verify(SECRET, "yesterday", body, good)
    assert not verify(SECRET, str(now), body, "")


def test_a_failure_is_retried_after_a_growing_delay(db, endpoint, erp, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 10)] == [30, 60, 120, 240, 3600]
    erp.go_down()
    customer = make_customer()
    _emit(customer)
    start = timezone.now()
    deliver_due(now=start)
    delivery = Delivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status is None and delivery.last_error
    assert delivery.next_attempt_at == start + datetime.timedelta(seconds=30)
    # Not due yet: nothing is sent.
    assert deliver_due(now=start + datetime.timedelta(seconds=10)).failed == 0
    deliver_due(now=start + datetime.timedelta(seconds=31))
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == start + datetime.timedelta(seconds=31 + 60)
    erp.come_back()
    deliver_due(now=start + datetime.timedelta(seconds=100))
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and len(erp.events) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_a_later_event_of_the_same_record_waits_for_the_earlier_one(db, endpoint, erp):
    first, second = make_customer(), make_customer()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret="wrong")
    _emit(first, n=1)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=SECRET)
    _emit(first, n=2)
    _emit(second, n=3)
    # The first event is refused (a bad signature, 401): it is retried later; the second of
    # the same record waits for it, the other record's event goes.
    Delivery.objects.filter(event__payload__n=1).update(
        next_attempt_at=timezone.now() + datetime.timedelta(hours=1)
    )
    deliver_due()
    assert [e["data"]["n"] for e in erp.events] == [3]
    Delivery.objects.filter(event__payload__n=1).update(next_attempt_at=None)
    deliver_due()
    assert [e["data"]["n"] for e in erp.events] == [3, 1, 2]


def test_an_endpoint_failing_n_times_in_a_row_is_disabled_and_keeps_its_events(
    db, endpoint, erp, settings, administrator
):
    settings.WEBHOOK_DISABLE_AFTER = 3
    erp.go_down()
    customer = make_customer()
    _emit(customer, n=1)
    moment = timezone.now()
    for step in range(3):
        deliver_due(now=moment + datetime.timedelta(hours=step))
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None and "3" in endpoint.disabled_reason
    # Disabled: no more tries, but new events still queue for it.
    _emit(customer, n=2)
    assert deliver_due(now=moment + datetime.timedelta(hours=9)).failed == 0
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 2
    erp.come_back()
    with pytest.raises(PermissionDenied):
        enable_endpoint(endpoint=endpoint, acting_user=None)
    enable_endpoint(endpoint=endpoint, acting_user=administrator)
    deliver_due()
    assert [e["data"]["n"] for e in erp.events] == [1, 2]


def test_an_administrator_replays_a_delivery_and_the_receiver_keeps_it_once(
    db, endpoint, erp, administrator, operator
):
    customer = make_customer()
    _emit(customer, n=1)
    deliver_due()
    delivery = Delivery.objects.get()
    with pytest.raises(PermissionDenied):
        replay(delivery=delivery, acting_user=operator)
    replay(delivery=delivery, acting_user=administrator)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.replay
    deliver_due()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    assert list(delivery.log.values_list("manual", flat=True)) == [True, False]
    assert len(erp.events) == 1 and erp.duplicates == 1
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=timezone.now())
    with pytest.raises(WebhookError):
        replay(delivery=delivery, acting_user=administrator)


def test_a_second_worker_leaves_an_endpoint_another_one_is_sending_to(db, endpoint, erp):
    _emit(make_customer())
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        lease_until=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert deliver_due().delivered == 0 and erp.events == []
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(lease_until=None)
    assert deliver_due().delivered == 1
