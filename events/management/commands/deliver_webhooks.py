"""Send the due webhook deliveries now (cron, or after an outage); safe on several machines."""

from django.core.management.base import BaseCommand

from events.delivery import deliver_due


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (signed, in order per record)."

    def handle(self, *args, **options) -> None:
        outcome = deliver_due()
        self.stdout.write(
            f"delivered={outcome.delivered} failed={outcome.failed} "
            f"disabled={len(outcome.disabled)}"
        )
