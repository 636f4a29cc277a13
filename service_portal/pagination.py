"""A paginator that stops counting at ``settings.LIST_COUNT_LIMIT`` rows.

A list's "N results" line and its page links need ``COUNT(*)`` of the filtered rows; on a table
of a million interventions an unfiltered or loosely filtered count reads most of the table on
every request, so the page's time would grow with the data. Counting ``LIMIT limit + 1`` rows
(without ORDER BY) costs the same at any size: past the limit the page says "more than N
results" and pages up to the limit; narrowing the filters (or reversing the sort) reaches the
rest.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    capped = False

    @cached_property
    def count(self) -> int:
        limit = settings.LIST_COUNT_LIMIT
        rows = self.object_list
        if hasattr(rows, "order_by"):
            counted = rows.order_by()[: limit + 1].count()
        else:
            counted = len(rows)
        if counted > limit:
            self.capped = True
            return limit
        return counted
