"""The monitoring dashboard: the home page of administrators and operators.

Technicians get 403 (their home is "My interventions"; the figures cover everyone's work).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from customers.models import Customer
from dashboard import exports
from dashboard.figures import figures_html
from dashboard.forms import DashboardFilterForm, presets
from dashboard.statistics import dashboard
from invoicing.payments import overdue_total
from orders import selectors as orders_selectors
from quotes import selectors as quotes_selectors
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS, STAFF, has_role

PICKER_LIMIT = 10
ANSWERS_DAYS = 7
# The parameters the preset links keep (the period is what they change).
NARROWING = ("customer", "technician", "intervention_type")


@require_GET
@role_required(*STAFF)
def home(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET)
    filters = form.filters() if form.is_valid() else None
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        # The figures' block, rendered or from the cache (dashboard.figures).
        "figures": figures_html(filters) if filters else None,
        "presets": _preset_links(request.GET, form),
        "query": request.GET.urlencode(),
        "chosen_customer": form.cleaned_data.get("customer") if filters else None,
    }
    if has_role(request.user, ADMINISTRATORS):
        # What customers should have paid by today and have not (invoicing.payments), whatever
        # the period chosen: money overdue now is news whatever the statistics look at.
        context["overdue_total"] = overdue_total()
    # The customers' answers to offers and quotes: the office's notices, whatever the filters.
    since = timezone.now() - datetime.timedelta(days=ANSWERS_DAYS)
    context["offer_answers"] = orders_selectors.recent_decisions(since)
    context["quote_answers"] = quotes_selectors.recent_decisions(since)
    context["answers_days"] = ANSWERS_DAYS
    return render(request, "dashboard/home.html", context)


@require_GET
@role_required(*STAFF)
def export_csv(request: HttpRequest) -> HttpResponse:
    """Every figure for the chosen filters, one row each, with translated headers."""
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        # The dashboard shows what is wrong with the filters.
        return redirect(f"{reverse('dashboard:home')}?{request.GET.urlencode()}")
    return exports.csv_response(request, dashboard(form.filters()))


@require_GET
@role_required(*STAFF)
def customer_picker(request: HttpRequest) -> HttpResponse:
    """Search as you type: customers by name or VAT number."""
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    customers = []
    if len(q) >= 2:
        customers = list(
            Customer.objects.matching(q)
            .only("pk", "name", "city")
            .order_by("name", "pk")[:PICKER_LIMIT]
        )
    return render(request, "dashboard/picker_results.html", {"q": q, "customers": customers})


def _preset_links(params: QueryDict, form: DashboardFilterForm) -> list[dict[str, Any]]:
    """One link per preset period, keeping the customer, technician and type chosen."""
    links = []
    for preset in presets(form.today):
        query = QueryDict(mutable=True)
        for name in NARROWING:
            if params.get(name):
                query[name] = params[name]
        query["date_from"] = preset.date_from.isoformat()
        query["date_to"] = preset.date_to.isoformat()
        active = (
            params.get("date_from") == query["date_from"]
            and params.get("date_to") == query["date_to"]
        )
        links.append({"label": preset.label, "query": query.urlencode(), "active": active})
    return links
