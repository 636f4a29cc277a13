from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls and interventions")

    def ready(self) -> None:
        from calls import summaries

        summaries.connect()
