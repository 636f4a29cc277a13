"""The webhook deliveries, in the task worker (never inside a request in production)."""

from __future__ import annotations

from django_tasks import task

from service_portal.tasks import enqueue_after_commit


@task()
def deliver_webhooks() -> dict:
    """Send what is due; if something waits for a retry, come back at that moment."""
    from events.delivery import deliver_due

    outcome = deliver_due()
    if outcome.next_retry is not None and deliver_webhooks.get_backend().supports_defer:
        deliver_webhooks.using(run_after=outcome.next_retry).enqueue()
    return {"delivered": outcome.delivered, "failed": outcome.failed}


def queue_delivery() -> None:
    """Queue a delivery run once the current transaction commits."""
    enqueue_after_commit(deliver_webhooks)
