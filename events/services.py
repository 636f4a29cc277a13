"""What administrators do with endpoints and deliveries: atomic, checked, never in a request's
network path (a replay only queues the delivery for the worker)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from events.models import Delivery, DeliveryState, WebhookEndpoint, new_secret
from events.tasks import queue_delivery
from service_portal.errors import DomainError
from service_portal.permissions import check_role
from service_portal.roles import ADMINISTRATORS


class WebhookError(DomainError):
    """A refused action on an endpoint or a delivery; the message is shown to the user."""


def _require_admin(user: Any) -> None:
    check_role(user, ADMINISTRATORS)


@transaction.atomic
def enable_endpoint(*, endpoint: WebhookEndpoint, acting_user: Any) -> WebhookEndpoint:
    """Enable again an endpoint disabled after failures: its waiting events go out in order."""
    _require_admin(acting_user)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.disabled_at, locked.disabled_reason, locked.consecutive_failures = None, "", 0
    locked.is_active = True
    locked.save(
        update_fields=["disabled_at", "disabled_reason", "consecutive_failures", "is_active"]
    )
    # Retries wait no longer: the administrator says the receiver is back.
    Delivery.objects.filter(endpoint=locked, state=DeliveryState.PENDING).update(
        next_attempt_at=None
    )
    queue_delivery()
    return locked


@transaction.atomic
def rotate_secret(*, endpoint: WebhookEndpoint, acting_user: Any) -> WebhookEndpoint:
    _require_admin(acting_user)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.secret = new_secret()
    locked.save(update_fields=["secret"])
    return locked


@transaction.atomic
def replay(*, delivery: Delivery, acting_user: Any) -> Delivery:
    """Send a delivery again (a receiver that lost it, or one waiting for its next retry)."""
    _require_admin(acting_user)
    locked = Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if not locked.endpoint.is_active or locked.endpoint.disabled_at:
        raise WebhookError(_("Enable the endpoint before sending its events again."))
    locked.state, locked.next_attempt_at, locked.replay = DeliveryState.PENDING, None, True
    locked.save(update_fields=["state", "next_attempt_at", "replay"])
    queue_delivery()
    return locked
