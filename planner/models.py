"""The planners: technicians' activities (attività) and the hours people worked (ore lavorate).

``Activity`` is an entry on a technician's planner: a planned visit for an intervention, travel,
office work, training, or an absence (holiday, sick leave). ``TimeEntry`` is the one record of
hours worked: the hours-worked pages and section 4 ("Hours") of the call management page both
read and write it, so nobody types hours twice. Every write goes through ``planner.services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.models import Intervention
from service_portal.models import Audited


class ActivityKind(models.TextChoices):
    INTERVENTION = "intervention", _("Intervention")
    TRAVEL = "travel", _("Travel")
    OFFICE = "office", _("Office")
    TRAINING = "training", _("Training")
    HOLIDAY = "holiday", _("Holiday")
    SICK_LEAVE = "sick_leave", _("Sick leave")
    OTHER = "other", _("Other")


class LabourRate(models.TextChoices):
    """At which rate labour hours are billed (the quote's or price list's line of that rate)."""

    NORMAL = "normal", _("Normal")
    OVERTIME = "overtime", _("Overtime")
    HOLIDAY = "holiday", _("Holiday")


# Kinds that mean the technician is not available: planning over them needs a confirmation.
ABSENCE_KINDS = frozenset({ActivityKind.HOLIDAY, ActivityKind.SICK_LEAVE})


class WorkKind(models.TextChoices):
    """What the hours of a time entry were spent on (labour and travel are billed on quotes)."""

    LABOUR = "labour", _("Labour")
    TRAVEL = "travel", _("Travel")
    OFFICE = "office", _("Office")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class Activity(Audited):
    """One entry on a technician's planner, from ``start`` to ``end`` (local day if all-day).

    An all-day activity is stored from the local midnight of its first day to the local
    midnight after its last day, so overlaps and day totals need no special case.
    """

    created_by_label = pgettext_lazy("activity", "created by")

    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("technician"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    all_day = models.BooleanField(_("all day"), default=False)
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("intervention"),
        null=True,
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    # A visit planned after it took place (its start was already past, confirmed by the office):
    # the record of a visit already made, not a plan (issue 20).
    recorded_afterwards = models.BooleanField(_("recorded after the visit"), default=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["technician", "start"], name="activity_tech_start_idx"),
            models.Index(fields=["start", "end"], name="activity_range_idx"),
            # Visits ending after a moment (the dashboard's planned interventions with a visit
            # still ahead): the future part of the planner, whatever its years of history.
            models.Index(
                fields=["end"],
                name="activity_visit_end_idx",
                include=["intervention"],
                condition=models.Q(kind=ActivityKind.INTERVENTION),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="activity_end_after_start"
            ),
            # An intervention activity points at its intervention; other kinds never do.
            models.CheckConstraint(
                condition=(
                    models.Q(kind=ActivityKind.INTERVENTION, intervention__isnull=False)
                    | (
                        ~models.Q(kind=ActivityKind.INTERVENTION)
                        & models.Q(intervention__isnull=True)
                    )
                ),
                name="activity_intervention_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.intervention_id:
            return f"{self.get_kind_display()} {self.intervention}"
        return str(self.get_kind_display())

    @property
    def is_absence(self) -> bool:
        return self.kind in ABSENCE_KINDS

    @property
    def hours(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds() / 3600).quantize(Decimal("0.01"))


class TimeEntry(Audited):
    """Hours one person worked on one day on one thing (an intervention, an activity, free text).

    ``start_time``/``end_time`` are optional; when given, ``hours`` equals their difference.
    Labour and travel entries on an intervention are what the actuals compare with the quote.
    """

    created_by_label = pgettext_lazy("time entry", "created by")

    # Not a column: planner.selectors.mark_editable sets it for the hours pages.
    editable: bool

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("person"),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    kind = models.CharField(_("kind of work"), max_length=20, choices=WorkKind.choices)
    # Billed at the labour line of this rate (invoicing.billing); travel is always "normal".
    rate = models.CharField(
        _("rate"), max_length=10, choices=LabourRate.choices, default=LabourRate.NORMAL
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("intervention"),
        null=True,
        blank=True,
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        related_name="time_entries",
        verbose_name=_("activity"),
        null=True,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["date", "start_time", "pk"]
        indexes = [
            # A person's hours of a period (the hours month) summed from the index alone
            # (INCLUDE, PostgreSQL only): with the bare (user, date) index PostgreSQL walked the
            # date index through everyone's entries of the month instead (the dates are in
            # table order), 6.9 ms instead of 0.2 ms for a month at scale 100.
            models.Index(
                fields=["user", "date"], name="timeentry_user_date_idx", include=["kind", "hours"]
            ),
            models.Index(fields=["intervention", "date"], name="timeentry_intervention_idx"),
            models.Index(fields=["date"], name="timeentry_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=WorkKind.values), name="timeentry_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(rate__in=LabourRate.values), name="timeentry_rate_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="timeentry_hours_range"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(start_time__isnull=True, end_time__isnull=True)
                    | models.Q(
                        start_time__isnull=False,
                        end_time__isnull=False,
                        end_time__gt=models.F("start_time"),
                    )
                ),
                name="timeentry_times_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.user} {self.hours}h"


class DayHours(models.Model):
    """The hours one person recorded on one day, by kind of work (planner.summaries): once over
    all their entries (``type_key`` 0) and once per type of the interventions they were
    recorded on. The dashboard's hours per technician add up a few of these rows a day instead
    of reading every time entry of the period. Kept in the transaction that changes an entry.
    """

    day = models.DateField(_("day"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    type_key = models.PositiveIntegerField(default=0)
    labour = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    travel = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    other = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))

    class Meta:
        verbose_name = _("daily hours")
        verbose_name_plural = _("daily hours")
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "type_key"], name="dayhours_key")
        ]
        indexes = [models.Index(fields=["type_key", "day"], name="dayhours_period_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id}/{self.type_key}"


class CalendarFeed(models.Model):
    """The secret token of a person's iCalendar feed; a new token revokes the old link."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("person"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class ActivityAction(models.TextChoices):
    CREATED = "created", pgettext_lazy("activity", "Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")


class ActivityLog(models.Model):
    """Append-only record of every planner change: who put whom where, and when.

    Keeps the activity's number and data as they were after the change (or before a deletion),
    so the history of a visit survives the activity itself.
    """

    activity_pk = models.PositiveBigIntegerField(_("activity number"))
    action = models.CharField(_("action"), max_length=10, choices=ActivityAction.choices)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("technician"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="activity_logs",
        verbose_name=_("intervention"),
        null=True,
        blank=True,
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("planner change")
        verbose_name_plural = _("planner changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["activity_pk"], name="activitylog_activity_idx")]

    def __str__(self) -> str:
        return f"{self.activity_pk}: {self.action}"
