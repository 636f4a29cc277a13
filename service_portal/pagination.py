"""A paginator that stops counting at ``settings.LIST_COUNT_LIMIT`` rows.

A list's "N results" line and its page links need ``COUNT(*)`` of the filtered rows; on a table
of a million interventions an unfiltered or loosely filtered count reads most of the table on
every request, so the page's time would grow with the data. Counting ``LIMIT limit + 1`` rows
(without ORDER BY) costs the same at any size: past the limit the page says "more than N
results" and pages up to the limit; narrowing the filters (or reversing the sort) reaches the
rest.

A list whose rows each cost several index probes (the calls to invoice) counts less far:
``count_limit`` lowers the limit for that list (``PortalListView.count_limit``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    capped = False

    def __init__(self, *args, count_limit: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.count_limit = count_limit

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
