import datetime

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from invoicing.fees import create_fee_drafts
        from service_portal import scheduling

        scheduling.register("contract_fees", create_fee_drafts, every=datetime.timedelta(hours=6))
        post_migrate.connect(_keep_triggers, sender=self, dispatch_uid="calls_to_invoice")


def _keep_triggers(using: str = "default", **kwargs: object) -> None:
    """Put back the triggers of the calls to invoice after a migration (SQLite drops them with a
    table it remakes; invoicing.waiting), once their table exists."""
    from django.db import connections

    from invoicing import waiting

    connection = connections[using]
    if waiting.TABLE in connection.introspection.table_names():
        waiting.install(connection)
