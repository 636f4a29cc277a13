"""Forms of the planners: they parse and present input; ``planner.services`` applies the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import Intervention, State
from planner.models import Activity, ActivityKind, LabourRate, WorkKind
from planner.selectors import day_bounds, technicians
from service_portal.forms import DateInput, PlausibleDateField, TimeInput, VersionMixin
from service_portal.idempotency import SubmissionTokenMixin

DATE = DateInput()
TIME = TimeInput()


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    start, _end = day_bounds(day)
    return datetime.datetime.combine(day, time, tzinfo=start.tzinfo)


class ConfirmMixin(forms.Form):
    """A checkbox that appears once the service has returned warnings (overlaps, absences)."""

    confirm = forms.BooleanField(
        label=_("I have read the warnings: save anyway"), required=False, widget=forms.HiddenInput
    )

    def show_confirmation(self) -> None:
        self.fields["confirm"].widget = forms.CheckboxInput()


class TechnicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        start = timezone.localtime(obj.start)
        return f"{start:%H:%M}–{timezone.localtime(obj.end):%H:%M} {obj}"


class PeriodMixin(forms.Form):
    """Date with start and end time, or all day (optionally up to an end date)."""

    date = PlausibleDateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("From"), required=False, widget=TIME)
    end_time = forms.TimeField(label=_("To"), required=False, widget=TIME)

    allow_all_day = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("date")
        if day is None:
            return data
        if self.allow_all_day and data.get("all_day"):
            last = data.get("end_date") or day
            if last < day:
                self.add_error("end_date", _("The last day cannot come before the first."))
                return data
            data["start"] = day_bounds(day)[0]
            data["end"] = day_bounds(last)[1]
            return data
        if data.get("start_time") is None or data.get("end_time") is None:
            raise forms.ValidationError(_("Give the start and end time (or tick “all day”)."))
        data["start"] = _at(day, data["start_time"])
        data["end"] = _at(day, data["end_time"])
        if data["end"] <= data["start"]:
            self.add_error("end_time", _("The end must be after the start."))
        return data


class ActivityForm(SubmissionTokenMixin, VersionMixin, ConfirmMixin, PeriodMixin):
    """Add or change an activity on one technician's planner."""

    technician = TechnicianChoiceField(label=_("Technician"), queryset=technicians())
    kind = forms.ChoiceField(label=_("Kind"))
    all_day = forms.BooleanField(label=_("All day"), required=False)
    end_date = PlausibleDateField(label=_("Last day (all day)"), required=False, widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = [
        "technician",
        "kind",
        "date",
        "start_time",
        "end_time",
        "all_day",
        "end_date",
        "notes",
        "confirm",
        "version",
    ]

    def __init__(
        self, *args: Any, activity: Activity | None = None, staff: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, editing=activity is not None, **kwargs)
        if activity is not None and activity.kind == ActivityKind.INTERVENTION:
            self.fields["kind"].choices = [(activity.kind, activity.get_kind_display())]
            del self.fields["all_day"], self.fields["end_date"]
            self.allow_all_day = False
        else:
            self.fields["kind"].choices = [
                choice for choice in ActivityKind.choices if choice[0] != ActivityKind.INTERVENTION
            ]
        if not staff:
            self.fields["technician"].widget = forms.HiddenInput()

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        start = timezone.localtime(activity.start)
        end = timezone.localtime(activity.end)
        initial = {
            "technician": activity.technician_id,
            "kind": activity.kind,
            "date": start.date(),
            "notes": activity.notes,
            "version": activity.version,
            "all_day": activity.all_day,
        }
        if activity.all_day:
            initial["end_date"] = (end - datetime.timedelta(seconds=1)).date()
        else:
            initial["start_time"] = start.time()
            initial["end_time"] = end.time()
        return initial


class PlanForm(SubmissionTokenMixin, ConfirmMixin, PeriodMixin):
    """Plan an intervention for a technician (the plain form beside the board)."""

    technician = TechnicianChoiceField(label=_("Technician"), queryset=technicians())
    notes = forms.CharField(
        label=_("Notes for the technician"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    allow_all_day = False
    field_order = ["technician", "date", "start_time", "end_time", "notes", "confirm"]


class TimeEntryForm(SubmissionTokenMixin, VersionMixin):
    """Hours worked on one day: hours, or start and end time; what they refer to."""

    date = PlausibleDateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind of work"), choices=WorkKind.choices)
    rate = forms.ChoiceField(
        label=_("Rate"),
        choices=LabourRate.choices,
        initial=LabourRate.NORMAL,
        required=False,
        help_text=_("Overtime and holiday hours are billed at their own labour rate."),
    )
    start_time = forms.TimeField(label=_("From"), required=False, widget=TIME)
    end_time = forms.TimeField(label=_("To"), required=False, widget=TIME)
    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        help_text=_("Leave empty when you give the start and end time."),
    )
    intervention = forms.ModelChoiceField(
        label=_("Intervention"), required=False, queryset=Intervention.objects.none()
    )
    activity = ActivityChoiceField(
        label=_("Activity"), required=False, queryset=Activity.objects.none()
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        person: Any,
        day: datetime.date | None = None,
        intervention: Intervention | None = None,
        current: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, editing=current is not None, **kwargs)
        if intervention is not None:
            # The intervention's own hours section: the intervention is given.
            del self.fields["intervention"], self.fields["activity"]
            self.fields["kind"].choices = [
                (WorkKind.LABOUR, WorkKind.LABOUR.label),
                (WorkKind.TRAVEL, WorkKind.TRAVEL.label),
            ]
            return
        # Hours are recorded while the visit is planned or just done; the list stays short.
        interventions = Intervention.objects.filter(
            technician=person, state__in=[State.PLANNED, State.DONE]
        )
        if current is not None and current.intervention_id:
            interventions = interventions | Intervention.objects.filter(pk=current.intervention_id)
        self.fields["intervention"].queryset = interventions.order_by("-pk")
        activities = Activity.objects.filter(technician=person).select_related("intervention")
        if day is not None:
            start, end = day_bounds(day)
            activities = activities.filter(start__lt=end, end__gt=start)
        self.fields["activity"].queryset = activities.order_by("start")
        if day is not None and current is None:
            self.fields["date"].widget = forms.HiddenInput()
