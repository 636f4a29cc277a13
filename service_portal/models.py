from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """The last number handed out in one series and year (see ``service_portal.numbering``)."""

    series = models.CharField(_("series"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.PositiveIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="counter_unique_series_year"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.value}"
