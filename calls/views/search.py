"""The call search at ``/calls/``, its CSV/Excel export, the installed-base history partials
and the technician's home."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.http import require_GET

from accounts.models import User
from calls import access, selectors
from calls.filters import DEADLINE_FIRST, DEFAULT_SORT, SORTS, CallSearchFilter
from calls.models import Intervention, InterventionType, Priority, State
from calls.search_rows import ROW_FIELDS, call_rows
from customers.models import Customer, Unit
from service_portal import exports, spreadsheets
from service_portal.crud import PortalListView
from service_portal.pagination import KEYSET_PARAMETERS, NearestPageMixin
from service_portal.permissions import RoleRequiredMixin, role_required
from service_portal.roles import EVERYONE, Role

HISTORY_ROWS = 20
EXPORT_CHUNK = 2000


def _sort_key(request: HttpRequest) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort in SORTS else DEFAULT_SORT


def filtered(request: HttpRequest) -> tuple[CallSearchFilter, Any]:
    """The search's filter and its result for ``request`` (shared by the page and the export)."""
    base = selectors.interventions_for(request.user).order_by(*SORTS[_sort_key(request)])
    search = CallSearchFilter(request.GET or None, queryset=base, request=request)
    if search.is_bound and not search.is_valid():
        return search, base.none()
    return search, search.qs


class DeadlineFirst:
    """The search's rows sorted by SLA, sliced as the paginator slices a queryset.

    ``ORDER BY call.sla_due NULLS LAST, intervention.id LIMIT 25`` sorts the whole join of the
    interventions and their calls (5.5 s for a million at scale 100): the partial index on the
    running deadlines cannot give the rows in that order once the intervention's id breaks the
    ties, and a column 99.9 % NULL keeps PostgreSQL from using a full one. A page is read here in
    the same order from its two parts: the ids of the rows whose call has a deadline (the partial
    index, a few hundred calls), by deadline and intervention, up to the page's end; then the
    ids of the others from the intervention's primary key, starting where the first part ends;
    then the page's rows by id. Three queries on every page whatever the data (the second one
    runs even when the first part fills the page), and the same rows in the same order as the
    plain ORDER BY on every page (tests/calls/test_search_sla_sort.py). Counting is the
    queryset's (``order_by`` below); the page links carry no key, as before (an ordering on
    expressions is read by OFFSET: service_portal/pagination.py).
    """

    ordered = True

    def __init__(self, queryset, sort: str, fields: tuple[str, ...]) -> None:
        self.queryset = queryset
        self.model = queryset.model
        self.fields = tuple(dict.fromkeys(("pk", *fields)))  # the rows, as ``values()``
        self.with_deadline, self.without_deadline = DEADLINE_FIRST[sort]

    def order_by(self, *fields: Any):
        """The queryset itself (``CappedPaginator`` counts ``order_by()``)."""
        return self.queryset.order_by(*fields)

    def __getitem__(self, index: slice) -> list:
        if isinstance(index, int):
            return self.rows(index, index + 1)[0]
        if index.step not in (None, 1) or (index.start or 0) < 0 or index.stop is None:
            raise ValueError("DeadlineFirst reads forward slices with an end")
        return self.rows(index.start or 0, index.stop)

    def _ids(self, queryset):
        return queryset.select_related(None).prefetch_related(None).values_list("pk", flat=True)

    def rows(self, start: int, stop: int) -> list:
        size = stop - start
        if size <= 0:
            return []
        with_deadline = self.queryset.filter(call__sla_due__isnull=False)
        ids = list(self._ids(with_deadline.order_by(*self.with_deadline))[:stop])
        page = ids[start:]
        # Fewer than ``stop`` rows have a deadline: the others follow them, from row ``skip``
        # of theirs (read in any case, so the page's queries do not depend on the data).
        skip = max(0, start - len(ids))
        without = self.queryset.filter(call__sla_due__isnull=True)
        others = list(self._ids(without.order_by(*self.without_deadline))[skip : skip + size])
        # A deadline set or cleared by someone else between the two reads could bring a row
        # twice, and a row changed before the third one may have left the filter: neither shows.
        page += [pk for pk in others if pk not in page][: size - len(page)]
        rows = self.queryset.filter(pk__in=page).order_by().values(*self.fields)
        found = {row["pk"]: row for row in rows}
        return [found[pk] for pk in page if pk in found]


class CallSearch(PortalListView):
    """All eight filters combinable; technicians see only their own interventions."""

    model = Intervention
    filterset_class = CallSearchFilter
    template_name = "calls/call_search.html"
    strict = True  # an invalid filter (e.g. inverted dates) shows its error over an empty list
    row_fields = ROW_FIELDS  # calls.search_rows: no model instances for the rows

    def get_queryset(self):
        return (
            selectors.interventions_for(self.request.user)
            .select_related(None)
            .order_by(*SORTS[_sort_key(self.request)])
        )

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple:
        """The page read as values (``row_fields``: the call, customer, site, unit and product
        joined) and made into its rows. The type and the technician come in two small queries
        instead of the join: with them (and the contact) in it PostgreSQL spent 10-60 ms
        planning a nine-table query that runs in under a millisecond for 25 rows. Sorted by
        SLA, the page is read in parts (``DeadlineFirst``)."""
        sort = _sort_key(self.request)
        # Filtered on the SLA (at risk, breached), the rows are the few calls whose clock runs
        # or ran late, and the plain ORDER BY sorts just those from their partial indexes: in
        # parts, the rows without a deadline would be looked for along the intervention's
        # primary key through the million (2.6 s against 0.38 s at scale 100).
        in_parts = sort in DEADLINE_FIRST and not self.request.GET.get("sla")
        if in_parts and hasattr(queryset, "query"):
            queryset = DeadlineFirst(queryset, sort, self.row_fields)
        return super().paginate_queryset(queryset, page_size)

    def make_rows(self, values: Any) -> list:
        # The names of the page's types and technicians come from the filter bar's choices
        # (the fields' own querysets: read once, for the rows and then for the selects).
        fields = self.filterset.form.fields
        return call_rows(
            values,
            every_type=_choices(fields.get("intervention_type")),
            technicians=_choices(fields.get("technician")),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("sort", *KEYSET_PARAMETERS):
            query.pop(key, None)
        context["filter_query"] = query.urlencode()
        context["sort"] = _sort_key(self.request)
        context["export_query"] = self.request.GET.copy()
        for key in KEYSET_PARAMETERS:
            context["export_query"].pop(key, None)
        context["export_query"] = context["export_query"].urlencode()
        context["can_open_call"] = access.may_open_call(self.request.user)
        context["now"] = timezone.now()  # the SLA column's "at risk" and "breached"
        return context


def _choices(field: Any) -> Any:
    """The records a model choice field of the filter bar offers (its queryset), or None."""
    return field.queryset if isinstance(field, ModelChoiceField) else None


def _columns() -> list[str]:
    return [
        _("Intervention code"),
        _("Call code"),
        _("Received at"),
        _("Customer"),
        _("Site"),
        _("Serial number"),
        _("Product"),
        _("Intervention type"),
        _("State"),
        _("Call status"),
        _("Technician"),
        _("Requested date"),
        _("Priority"),
        _("Problem description"),
    ]


EXPORT_FIELDS = (
    "code",
    "call__code",
    "call__received_at",
    "call__customer__name",
    "call__site__name",
    "call__unit__serial_number",
    "call__unit__product__code",
    "type_id",
    "state",
    "call__status",
    "technician_id",
    "requested_date",
    "call__priority",
    "call__description",
)


def _rows(queryset) -> Iterator[list[Any]]:
    """Rows for the export: plain tuples read in chunks (never the whole result in memory, no
    model instances), labels looked up once instead of per row."""
    states = {value: str(label) for value, label in State.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    types = {kind.pk: str(kind) for kind in InterventionType.objects.all()}
    technicians = {user.pk: str(user) for user in User.objects.filter(role=Role.TECHNICIAN)}
    rows = queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    for (
        code,
        call_code,
        received_at,
        customer,
        site,
        serial,
        product,
        type_id,
        state,
        status,
        technician_id,
        requested,
        priority,
        description,
    ) in rows:
        yield [
            code,
            call_code,
            timezone.localtime(received_at).replace(tzinfo=None),
            customer,
            site,
            serial or "",
            product or "",
            types.get(type_id, ""),
            states[state],
            states[status],
            technicians.get(technician_id, ""),
            requested,
            priorities[priority],
            description,
        ]


def _filename(extension: str) -> str:
    return f"calls-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


@require_GET
@role_required(*EVERYONE)
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered result as CSV, streamed row by row (service_portal.spreadsheets)."""
    _search, queryset = filtered(request)
    back = exports.list_url(reverse("calls:call_search"), request)
    if refused := exports.too_large(request, queryset, kind=exports.CSV, back=back):
        return refused
    return spreadsheets.csv_response(
        request, filename=_filename("csv"), header=_columns(), rows=_rows(queryset)
    )


@require_GET
@role_required(*EVERYONE)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered result as an Excel file, written row by row (service_portal.spreadsheets)."""
    _search, queryset = filtered(request)
    back = exports.list_url(reverse("calls:call_search"), request)
    if refused := exports.too_large(request, queryset, kind=exports.EXCEL, back=back):
        return refused
    sheet = spreadsheets.Sheet(_("Calls"), _columns(), _rows(queryset))
    return spreadsheets.excel_response(filename=_filename("xlsx"), sheets=[sheet])


def _history(request: HttpRequest, *, search: dict, new_call: dict, **filters: Any) -> HttpResponse:
    queryset = selectors.history_for(request.user, **filters)
    rows = list(queryset[: HISTORY_ROWS + 1])
    context = {
        "rows": rows[:HISTORY_ROWS],
        "truncated": len(rows) > HISTORY_ROWS,
        "search_query": urlencode(search),
        "new_call_query": urlencode(new_call),
        "can_open_call": access.may_open_call(request.user),
    }
    return render(request, "calls/history.html", context)


@require_GET
@role_required(*EVERYONE)
def unit_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The calls of one unit (loaded by the unit page with htmx)."""
    unit = get_object_or_404(Unit, pk=pk)
    return _history(
        request,
        search={"serial_number": unit.serial_number},
        new_call={"unit": unit.pk},
        call__unit=unit,
    )


@require_GET
@role_required(*EVERYONE)
def customer_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The calls of one customer (loaded by the customer page with htmx)."""
    customer = get_object_or_404(Customer, pk=pk)
    return _history(
        request,
        search={"customer": customer.name},
        new_call={"customer": customer.pk},
        call__customer=customer,
    )


class MyInterventions(RoleRequiredMixin, NearestPageMixin, generic.ListView):
    """The technician's home: interventions assigned to them, the next one first."""

    allowed_roles = EVERYONE
    template_name = "calls/my_interventions.html"
    # Each job card (visits, address with map links, contact with call buttons, machine, what to
    # bring) costs about 0.6 ms of template: 50 a page made the home 2.2x slower at scale 100,
    # where a technician has a full page, than at scale 1 (issue 20). 20 jobs, the next visit
    # first, are more than a day's work on a phone; Next shows the rest.
    paginate_by = 20

    def get_queryset(self):
        return selectors.my_interventions(self.request.user)
