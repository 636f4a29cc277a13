import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Spare parts, offers and orders")

    def ready(self) -> None:
        from orders.services import expire_offers
        from service_portal import scheduling

        scheduling.register("offer_expiry", expire_offers, every=datetime.timedelta(hours=6))
