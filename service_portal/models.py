from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import class_prepared
from django.utils.translation import gettext_lazy as _


# --- Audit fields: one abstract base for every app ------------------------------------------
class TimeStamped(models.Model):
    """When the record was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking, the one scheme of the portal (``service_portal.locking``).

    ``version`` starts at 1 and goes up by one with every change: every full ``save()`` of an
    existing row, and every ``save(update_fields=[..., "version"])``. A save limited to other
    fields is not an edit (a derived status, a signature, the link to a quote): an editor open
    meanwhile is not refused for it. An edit form carries the version it showed; the service
    re-reads the row under lock and refuses a different one (``service_portal.locking``).
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        inserting = self._state.adding or self.pk is None or kwargs.get("force_insert")
        if inserting and not self._state.adding:
            self.version = 1  # a copy saved as a new row (a revision) is a new record
        bump = not inserting and (update_fields is None or "version" in update_fields)
        if not bump:
            super().save(*args, **kwargs)
            return
        # Counted by the database (version = version + 1), never from this possibly stale copy:
        # two saves never write the same number. The new value is read when next used.
        self.version = models.F("version") + 1  # type: ignore[assignment]
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        try:
            super().save(*args, **kwargs)
        finally:
            self.__dict__.pop("version", None)


class Audited(TimeStamped, Versioned):
    """Who created the record, when it was created and changed, and its version.

    A model whose "created by" reads differently (Italian: "creata da" for a call; "recorded by"
    for an expense) sets ``created_by_label``.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    created_by_label: Any = None

    class Meta:
        abstract = True


def _label_created_by(sender: type, **kwargs: Any) -> None:
    label = getattr(sender, "created_by_label", None)
    if label is not None and issubclass(sender, Audited):
        field = sender._meta.get_field("created_by")
        field.verbose_name = field._verbose_name = label  # _verbose_name: what migrations see


class_prepared.connect(_label_created_by)


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
