import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from invoicing.fees import create_fee_drafts
        from service_portal import scheduling

        scheduling.register("contract_fees", create_fee_drafts, every=datetime.timedelta(hours=6))
