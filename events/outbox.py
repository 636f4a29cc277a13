"""``emit``: write an event in the caller's transaction (the transactional outbox).

Services call it next to the change they make, inside their ``transaction.atomic``: if the
change rolls back, so does the event, and an event is never sent for something that did not
happen. Nothing leaves the portal here; the deliveries are queued for the task worker after
the commit (``events.tasks``).
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from events.catalogue import EVENT_TYPES
from events.models import Delivery, Event, WebhookEndpoint


def record_key(record_type: str, record_id: str) -> str:
    return f"{record_type}:{record_id}"


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    """Decimals, dates and UUIDs as the JSON the receiver reads (decimals as strings)."""
    import json

    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def emit(event_type: str, record: models.Model, payload: dict[str, Any]) -> Event:
    """Record that ``event_type`` happened to ``record`` (a saved model instance).

    Must run inside the transaction that makes the change. ``payload`` is what the receiver
    needs to act without calling back (codes, states, amounts); values are made JSON here.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}: add it to events.catalogue.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events.emit() must be called inside the change's transaction.")
    record_type, record_id = str(record._meta.model_name), str(record.pk)
    event = Event.objects.create(
        event_type=event_type,
        record_type=record_type,
        record_id=record_id,
        payload=_plain(payload),
    )
    endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True) if e.wants(event_type)]
    if endpoints:
        key = record_key(record_type, record_id)
        Delivery.objects.bulk_create(
            Delivery(event=event, endpoint=endpoint, record_key=key) for endpoint in endpoints
        )
        from events.tasks import queue_delivery

        queue_delivery()
    return event
