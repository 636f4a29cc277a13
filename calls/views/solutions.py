"""The solutions search: how earlier calls were solved, by product or by words, so the next
operator with a similar problem finds the answer (calls resolved by phone must record it)."""

from __future__ import annotations

from calls.filters import SolutionSearchFilter
from calls.models import Call
from service_portal.crud import PortalListView
from service_portal.roles import STAFF


class SolutionSearch(PortalListView):
    """Calls with a recorded solution, newest first; the office's page (technicians see only
    their own interventions, so the customers' problems elsewhere are not theirs to read)."""

    allowed_roles = STAFF
    model = Call
    filterset_class = SolutionSearchFilter
    template_name = "calls/solutions.html"

    def get_queryset(self):
        return (
            Call.objects.exclude(solution="")
            .select_related("customer", "unit", "unit__product")
            .order_by("-received_at", "-pk")
        )
