"""A paginator that stops counting at ``settings.LIST_COUNT_LIMIT`` rows.

A list's "N results" line and its page links need ``COUNT(*)`` of the filtered rows; on a table
of a million interventions an unfiltered or loosely filtered count reads most of the table on
every request, so the page's time would grow with the data. Counting ``LIMIT limit + 1`` rows
(without ORDER BY) costs the same at any size: past the limit the page says "more than N
results" and pages up to the limit; narrowing the filters (or reversing the sort) reaches the
rest.

A list whose rows each cost several index probes (the calls to invoice) counts less far:
``count_limit`` lowers the limit for that list (``PortalListView.count_limit``).

A list can read its pages as ``values(*fields)`` (``PortalListView.row_fields``): dicts instead
of model instances, a few milliseconds less for 25 rows of joined tables. Only the pages are
read so: the count still reads the queryset as given, without the joins the fields would add.
"""

from __future__ import annotations

import binascii
import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    capped = False

    def __init__(
        self, *args, count_limit: int | None = None, fields: tuple[str, ...] | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.count_limit = count_limit
        self.fields = fields

    def rows(self, queryset):
        """A page's slice of the list as it is shown: ``values(*fields)`` when the list has
        them (dicts keyed by the fields' paths), the model instances otherwise."""
        if self.fields and hasattr(queryset, "values"):
            return queryset.values(*self.fields)
        return queryset

    def _get_page(self, object_list, *args, **kwargs) -> Page:
        return super()._get_page(self.rows(object_list), *args, **kwargs)

    @cached_property
    def count(self) -> int:
        limit = settings.LIST_COUNT_LIMIT
        if self.count_limit is not None:
            limit = min(limit, self.count_limit)
        rows = self.object_list
        if hasattr(rows, "order_by"):
            counted = rows.order_by()[: limit + 1].count()
        else:
            counted = len(rows)
        if counted > limit:
            self.capped = True
            return limit
        return counted


# --- Keyset pages behind the same page links ------------------------------------------------
# Page 40 of a list read with OFFSET 975 makes the database produce and throw away 975 sorted
# rows (joins included) before the 25 it shows: the cost grows with the page number. The page
# links carry instead the sort values of the row next to them ("after" the last row of the page
# for Next, "before" the first one for Previous), and the page is read from there with a WHERE
# on the sort columns, which an index on them reads directly: page 40 costs what page 1 costs.
# The last page is read from the end (the order reversed). A page number typed without a key,
# or a key that does not parse, is read with OFFSET as before.
AFTER, BEFORE = "after", "before"
KEYSET_PARAMETERS = ("page", AFTER, BEFORE)


def ordering_of(queryset) -> list[str] | None:
    if not hasattr(queryset, "query"):
        return None
    """The queryset's ordering as field paths with "-" for descending, ending with a unique
    field (so the key of a row is unique); None when that is not the case (then OFFSET)."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ())
    if not ordering or not all(isinstance(item, str) for item in ordering):
        return None
    last = ordering[-1].lstrip("-")
    if last not in ("pk", "id"):
        try:
            field = queryset.model._meta.get_field(last)
        except Exception:
            return None
        if not field.unique:
            return None
    return ordering


def _field(model, path: str):
    """The model field at the end of a lookup path (``call__customer__name``)."""
    field = None
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return field


def encode_key(row, ordering: list[str], model=None) -> str:
    """The key of ``row``: a model instance, or a ``values()`` row of ``model`` (a dict whose
    keys are the ordering's paths: the list's ``row_fields`` include them)."""
    paths = [item.lstrip("-") for item in ordering]
    if isinstance(row, dict):
        values = [_as_text(_field(model, path), row[path]) for path in paths]
    else:
        values = [_field(type(row), path).value_to_string(_holder(row, path)) for path in paths]
    return urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _as_text(field, value) -> str:
    """What ``field.value_to_string`` gives for a record holding ``value``."""
    return field.value_to_string(SimpleNamespace(**{field.attname: value}))


def _holder(row, item: str):
    """``value_to_string`` reads the field's attribute from the object that holds it."""
    path = item.lstrip("-").split("__")
    holder = row
    for part in path[:-1]:
        holder = getattr(holder, part)
    return holder


def decode_key(token: str, model, ordering: list[str]) -> list | None:
    try:
        values = json.loads(urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, list) or len(values) != len(ordering):
            return None
        parsed = [
            _field(model, item.lstrip("-")).to_python(value)
            for item, value in zip(ordering, values, strict=True)
        ]
    except (ValueError, TypeError, ValidationError, FieldDoesNotExist, binascii.Error):
        return None
    return None if any(value is None for value in parsed) else parsed


def _beyond(ordering: list[str], values: list, *, backwards: bool) -> Q:
    """Rows after the key in the ordering (before it with ``backwards``)."""
    condition = Q()
    equal = Q()
    for item, value in zip(ordering, values, strict=True):
        path = item.lstrip("-")
        descending = item.startswith("-") != backwards
        condition |= equal & Q(**{f"{path}__{'lt' if descending else 'gt'}": value})
        equal &= Q(**{path: value})
    # The same bound on the first column alone, as a plain range: PostgreSQL starts the index
    # walk there (the OR above alone is a filter it applies to every row from the top).
    first = ordering[0].lstrip("-")
    descending = ordering[0].startswith("-") != backwards
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]}) & condition


def keyset_page(paginator: CappedPaginator, number: int, query: dict[str, str]) -> Page | None:
    """Page ``number`` read by key, or None when it has to be read with OFFSET."""
    queryset = paginator.object_list
    if not hasattr(queryset, "query"):
        return None
    ordering = ordering_of(queryset)
    if ordering is None or number <= 1:
        return None
    size = paginator.per_page
    for name, backwards in ((AFTER, False), (BEFORE, True)):
        token = query.get(name)
        if not token:
            continue
        values = decode_key(token, queryset.model, ordering)
        if values is None:
            return None
        rows = queryset.filter(_beyond(ordering, values, backwards=backwards))
        rows = list(paginator.rows((rows.reverse() if backwards else rows)[:size]))
        return _page(rows[::-1] if backwards else rows, number, paginator, ordering)
    if number == paginator.num_pages and not paginator.capped:
        on_last = paginator.count - (number - 1) * size
        rows = list(paginator.rows(queryset.reverse()[:on_last]))
        return _page(rows[::-1], number, paginator, ordering)
    return None


def _page(rows: list, number: int, paginator: CappedPaginator, ordering: list[str]) -> Page:
    page = paginator._get_page(rows, number, paginator)
    keyed(page, ordering)
    return page


def keyed(page: Page, ordering: list[str] | None) -> Page:
    """Give the page the keys of its Previous and Next links (empty: the link uses OFFSET)."""
    if not ordering:
        page.key_before = page.key_after = ""
        return page
    rows = list(page.object_list)
    model = getattr(page.paginator.object_list, "model", None)
    page.key_before = encode_key(rows[0], ordering, model) if rows else ""
    page.key_after = encode_key(rows[-1], ordering, model) if rows else ""
    return page


def nearest_page_number(raw: object, num_pages: int) -> int:
    """The page a list shows for ``?page=<raw>``: the nearest one that exists.

    Not a number (``abc``, empty) is the first page, ``last`` the last one; below 1 is the first
    page, past the end the last page. A list never answers "page not found" for its page number:
    a bookmarked page 40 of a list that has since shrunk to 12 pages shows page 12.
    """
    text = str(raw or "").strip()
    if text == "last":
        return num_pages
    try:
        number = int(text)
    except ValueError:
        try:
            number = int(float(text))  # "2.0", "1e3"
        except (ValueError, OverflowError):
            return 1
    return min(max(number, 1), max(num_pages, 1))


class NearestPageMixin:
    """For a ``ListView``: an out-of-range or non-numeric page number shows the nearest page.

    The one place every paginated list of the portal gets its page (``PortalListView`` uses it;
    a plain ``ListView`` adds it first among its bases); a different way of paging (keyset
    pagination for deep pages) belongs behind it too.
    """

    def paginate_queryset(self, queryset, page_size):  # type: ignore[no-untyped-def]
        paginator = self.get_paginator(  # type: ignore[attr-defined]
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),  # type: ignore[attr-defined]
            allow_empty_first_page=self.get_allow_empty(),  # type: ignore[attr-defined]
        )
        page_kwarg = self.page_kwarg  # type: ignore[attr-defined]
        raw = self.kwargs.get(page_kwarg) or self.request.GET.get(page_kwarg)  # type: ignore[attr-defined]
        page = paginator.page(nearest_page_number(raw, paginator.num_pages))
        return paginator, page, page.object_list, page.has_other_pages()
