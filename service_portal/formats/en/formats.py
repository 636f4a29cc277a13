"""English as the company's English-speaking staff write it: dates day first (British style).

The portal serves an Italian company, so English pages show ``29/11/2026`` and ``29 Nov 2026``,
never the American ``11/29/2026``. Numbers keep the English separators (``1,234.50``).

Typed dates are read day first too (``01/02/2026`` is 1 February); ISO dates (``2026-02-01``,
what the browsers' date pickers and the API send) are always accepted as well: Django adds the
ISO input formats to every language's list.
"""

from django.conf.locale.en_GB.formats import (  # noqa: F401  (re-exported formats)
    DATE_FORMAT,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # '29/11/2026'
    "%Y-%m-%d",  # '2026-11-29' (date pickers, API)
    "%d/%m/%y",  # '29/11/26'
]
