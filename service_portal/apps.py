from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicePortalConfig(AppConfig):
    name = "service_portal"
    verbose_name = _("Service Portal")
