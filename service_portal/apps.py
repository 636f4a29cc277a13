from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicePortalConfig(AppConfig):
    name = "service_portal"
    verbose_name = _("Service Portal")

    def ready(self) -> None:
        from service_portal import checks  # noqa: F401  (registers the system checks)
