from django.conf import settings
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


class FormSubmission(models.Model):
    """A create form that was already processed, so a double submit does not create twice.

    Create forms carry a random token; the first request that inserts the token wins (the unique
    constraint holds under concurrency), a repeat is sent to what the first one created.
    """

    token = models.UUIDField(_("token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    result_url = models.CharField(_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return str(self.token)


class RateCounter(models.Model):
    """Requests counted for one key in its current fixed window (``service_portal.ratelimit``).

    The rate limits' shared counter when there is no Redis: every app process, on every machine,
    counts in the same row. One row per key, reused window after window; rows of windows long
    past are deleted now and then.
    """

    key = models.CharField(max_length=100, primary_key=True)
    window_start = models.BigIntegerField()  # Unix time of the window's start
    expires = models.BigIntegerField(db_index=True)  # Unix time of its end
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
