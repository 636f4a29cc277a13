"""Sending the outbox: signed POSTs, per-record order, backoff, disabling. Runs in the worker.

``deliver_due`` walks each endpoint's pending deliveries in event order. A delivery waits while
an earlier delivery of the same record to the same endpoint is pending, so a receiver sees a
record's events in the order they happened. A refused or failed request is retried after an
exponential delay (``WEBHOOK_RETRY_BASE_SECONDS`` doubled at each try, at most
``WEBHOOK_RETRY_MAX_SECONDS``); after ``WEBHOOK_DISABLE_AFTER`` failures in a row the endpoint
is disabled (its events keep queueing, and are sent in order once it is enabled again).
An endpoint that cannot be reached at all is not tried again in the same run.

Written by hand: the libraries looked at (docs/integration.md, "Why no library") send through
Celery or keep no per-record order; this file and ``signing.py`` are the whole of it.
"""

from __future__ import annotations

import datetime
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events import signing
from events.models import Delivery, DeliveryAttempt, DeliveryState, Event, WebhookEndpoint

LEASE = datetime.timedelta(minutes=5)
USER_AGENT = "ServicePortal-Webhooks/1"


@dataclass
class Outcome:
    delivered: int = 0
    failed: int = 0
    disabled: list[int] = field(default_factory=list)
    next_retry: datetime.datetime | None = None


def body_of(event: Event) -> bytes:
    """The JSON document sent for ``event`` (the same one the API feed lists)."""
    document = {
        "id": event.pk,
        "type": event.event_type,
        "record": {"type": event.record_type, "id": event.record_id},
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def backoff(attempts: int) -> datetime.timedelta:
    """Delay before try number ``attempts + 1``: base, 2×base, 4×base... capped."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    return datetime.timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.WEBHOOK_RETRY_MAX_SECONDS)
    )


def post(endpoint: WebhookEndpoint, event: Event) -> tuple[int | None, str]:
    """Send one signed request; (HTTP status, error text). Status None: not reached."""
    body = body_of(event)
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (the URL is an administrator's http(s) URL)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.sign(endpoint.secret, timestamp, body),
            signing.EVENT_HEADER: event.event_type,
            signing.EVENT_ID_HEADER: str(event.pk),
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        ) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, str(reason)[:300]


def _claim(endpoint: WebhookEndpoint, now: datetime.datetime) -> bool:
    """Take the endpoint for this worker (another worker finds it taken and skips it)."""
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return bool(
        WebhookEndpoint.objects.filter(free, pk=endpoint.pk).update(lease_until=now + LEASE)
    )


def _release(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(lease_until=None)


def _record_try(
    delivery: Delivery, status: int | None, error: str, started: float, now: datetime.datetime
) -> bool:
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            status_code=status,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
            manual=delivery.replay,
        )
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = status, error
        if ok:
            delivery.state = DeliveryState.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.replay = False
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
                consecutive_failures=F("consecutive_failures") + 1
            )
        delivery.save(
            update_fields=[
                "attempts",
                "last_status",
                "last_error",
                "state",
                "delivered_at",
                "next_attempt_at",
                "replay",
            ]
        )
    return ok


def _disable_if_failing(endpoint: WebhookEndpoint) -> bool:
    endpoint.refresh_from_db(fields=["consecutive_failures"])
    if endpoint.consecutive_failures < settings.WEBHOOK_DISABLE_AFTER:
        return False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = _("Disabled after %(count)d failed deliveries in a row.") % {
        "count": endpoint.consecutive_failures
    }
    endpoint.save(update_fields=["disabled_at", "disabled_reason"])
    return True


def _deliver_endpoint(
    endpoint: WebhookEndpoint, now: datetime.datetime, limit: int, outcome: Outcome
) -> None:
    pending = (
        Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING)
        .select_related("event")
        .order_by("event_id")[:limit]
    )
    waiting: set[str] = set()  # records with an earlier event not delivered yet
    for delivery in pending:
        if delivery.record_key in waiting:
            continue
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            waiting.add(delivery.record_key)
            continue
        started = time.monotonic()
        status, error = post(endpoint, delivery.event)
        if _record_try(delivery, status, error, started, now):
            outcome.delivered += 1
            continue
        outcome.failed += 1
        waiting.add(delivery.record_key)
        if _disable_if_failing(endpoint):
            outcome.disabled.append(endpoint.pk)
            return
        if status is None:
            return  # not reachable: the other records wait for the next run


def deliver_due(*, now: datetime.datetime | None = None, limit: int = 500) -> Outcome:
    """Send every due delivery of every enabled endpoint; the worker's one entry point."""
    now = now or timezone.now()
    outcome = Outcome()
    endpoints = WebhookEndpoint.objects.filter(
        is_active=True,
        disabled_at__isnull=True,
        pk__in=Delivery.objects.filter(state=DeliveryState.PENDING).values("endpoint_id"),
    )
    for endpoint in endpoints:
        if not _claim(endpoint, now):
            continue
        try:
            _deliver_endpoint(endpoint, now, limit, outcome)
        finally:
            _release(endpoint)
    outcome.next_retry = (
        Delivery.objects.filter(
            state=DeliveryState.PENDING,
            endpoint__is_active=True,
            endpoint__disabled_at__isnull=True,
            next_attempt_at__isnull=False,
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return outcome
