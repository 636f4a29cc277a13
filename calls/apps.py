import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls and interventions")

    def ready(self) -> None:
        from calls.jobs import send_sla_warnings
        from service_portal import scheduling

        # The lead time is minutes: the warnings are looked for at every run of the command.
        scheduling.register("sla_warnings", send_sla_warnings, every=datetime.timedelta(0))
        from calls.maintenance_job import generate_maintenance

        # Preventive maintenance (docs/contracts.md): due dates are days, hourly is plenty.
        scheduling.register(
            "maintenance_plans", generate_maintenance, every=datetime.timedelta(hours=1)
        )
        from calls import summaries

        summaries.connect()
