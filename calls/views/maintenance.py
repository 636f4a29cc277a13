"""Preventive maintenance pages: the office's overview of what falls due, and the counter
reading a technician records on the job page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls import maintenance, selectors
from calls.filters_maintenance import MaintenanceDueFilter
from calls.forms import CounterReadingForm
from calls.models import MaintenanceOccurrence
from calls.services import CallError
from calls.services import maintenance as maintenance_services
from calls.views.management import section_post
from service_portal.crud import PortalListView
from service_portal.permissions import role_required
from service_portal.roles import EVERYONE, STAFF


class MaintenanceDue(PortalListView):
    """What falls due in the coming weeks (and what is overdue), soonest first."""

    allowed_roles = STAFF
    model = MaintenanceOccurrence
    filterset_class = MaintenanceDueFilter
    template_name = "calls/maintenance_due.html"

    def get_queryset(self):
        # Without filters the default horizon; the filter set asks the selector again with them.
        return maintenance.due_overview(today=timezone.localdate())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


@require_POST
@role_required(*EVERYONE)
def reading_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)

    def record(data: dict) -> Any:
        try:
            return maintenance_services.record_reading_on_job(
                intervention=intervention, acting_user=request.user, **data
            )
        except maintenance_services.ReadingRefused as refusal:
            raise CallError(refusal.message) from None

    return section_post(
        request,
        intervention,
        record,
        section="counter",
        success=_("Counter reading recorded."),
        form=CounterReadingForm(request.POST),
        form_name="counter_form",
        once=True,
    )
