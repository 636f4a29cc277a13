from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        post_migrate.connect(_keep_triggers, sender=self, dispatch_uid="dashboard_stamps")


def _keep_triggers(using: str = "default", **kwargs: object) -> None:
    """Put back the triggers of the day stamps after a migration (SQLite drops a table's
    triggers when a migration remakes the table; dashboard.stamps)."""
    from django.db import connections

    from dashboard import stamps

    connection = connections[using]
    if stamps.STAMPS in connection.introspection.table_names():
        stamps.install(connection)
