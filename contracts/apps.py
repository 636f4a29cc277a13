import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Service contracts")

    def ready(self) -> None:
        from contracts.services import renew_contracts
        from service_portal import scheduling

        scheduling.register("contract_renewals", renew_contracts, every=datetime.timedelta(hours=6))
