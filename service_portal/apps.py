import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The portal's own apps, lowest layer first: an app imports only apps before it in this list
# (dashboard and api import neither each other; nor do quotes and orders). This is the one
# list of them: INSTALLED_APPS, seed_demo's order, the permission table's build order, the
# catalogue and gettext scans and `make makemessages` read it; pyproject.toml's packages and
# import-linter layers are checked against it (tests/service_portal/test_app_list.py).
PORTAL_APPS = (
    "service_portal",
    "events",
    "accounts",
    "customers",
    "contracts",
    "quotes",
    "orders",
    "stock",
    "calls",
    "planner",
    "invoicing",
    "dashboard",
    "api",
)


class ServicePortalConfig(AppConfig):
    name = "service_portal"
    verbose_name = _("Service Portal")

    def ready(self) -> None:
        from service_portal import jobs, scheduling

        scheduling.register("purge_old_rows", jobs.purge_old_rows, every=datetime.timedelta(days=1))
        from django.db.backends.signals import connection_created

        from service_portal import (
            checks,  # noqa: F401  (registers the system checks)
            company,  # noqa: F401  (refreshes the cached profile on save)
        )
        from service_portal.text_search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="portal_unaccent")
