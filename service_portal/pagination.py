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
