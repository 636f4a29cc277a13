"""The events outbox and the webhook endpoints that receive it.

An ``Event`` row is written by ``events.outbox.emit`` in the same transaction as the change it
describes, so an event exists exactly when its change was committed. Each active endpoint
subscribed to the event's type gets a ``Delivery`` row at the same moment; the task worker sends
them (``events.delivery``) and logs every try as a ``DeliveryAttempt``.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Event(models.Model):
    """One thing that happened to one record; its id is the order of the feed."""

    id = models.BigAutoField(primary_key=True)
    event_type = models.CharField(_("event type"), max_length=60)
    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.CharField(_("record id"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["record_type", "record_id", "id"], name="event_record_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type} {self.record_type}:{self.record_id}"


class WebhookEndpoint(models.Model):
    """Where the ERP (or another system) wants events: signed with ``secret``."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_secret,
        help_text=_("The receiver verifies each request's signature with it."),
    )
    event_types = models.JSONField(
        _("event types"),
        default=list,
        blank=True,
        help_text=_("The events sent to this endpoint; none chosen means all of them."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=250, blank=True)
    # A worker holds the endpoint while it sends, so two workers never send its events twice
    # or out of order (a lease, not a database lock: no transaction stays open over HTTP).
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")


class Delivery(models.Model):
    """One event for one endpoint: pending until the endpoint answers 2xx."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    # Copied from the event: the per-record order is checked without a join.
    record_key = models.CharField(max_length=90, editable=False)
    state = models.CharField(
        _("state"), max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    replay = models.BooleanField(_("replay requested"), default=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-event_id", "endpoint_id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_once_per_endpoint")
        ]
        indexes = [
            models.Index(fields=["endpoint", "state", "event"], name="delivery_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint}"


class DeliveryAttempt(models.Model):
    """The delivery log: every request sent, with the answer or the error."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="log", verbose_name=_("delivery")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    manual = models.BooleanField(_("manual replay"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
