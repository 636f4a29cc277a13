"""Demo data for the webhooks: one endpoint for the fake ERP (scripts/fake_erp.py), switched
off, so the demo sends nothing until an administrator turns it on (docs/integration.md)."""

from __future__ import annotations

from events.models import WebhookEndpoint

DEMO_URL = "http://127.0.0.1:8765/webhooks"


def seed(*, scale: int, progress) -> None:  # noqa: ARG001 (the same volume at every scale)
    _endpoint, created = WebhookEndpoint.objects.get_or_create(
        url=DEMO_URL, defaults={"name": "ERP (fake, scripts/fake_erp.py)", "is_active": False}
    )
    progress.step("webhook endpoint", int(created), 1)
