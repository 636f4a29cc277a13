"""English as the company's English-speaking staff write it: dates day first (British style).

The portal serves an Italian company, so English pages show ``29/11/2026`` and ``29 Nov 2026``,
never the American ``11/29/2026``. Numbers keep the English separators (``1,234.50``).

Times are written on the 24-hour clock (``14:30``), as in Italian, German, French and Spanish.

Typed dates are read day first too (``01/02/2026`` is 1 February); ISO dates (``2026-02-01``,
what the browsers' date pickers and the API send) are always accepted as well: Django adds the
ISO input formats to every language's list.
"""

from django.conf.locale.en_GB.formats import (  # noqa: F401  (re-exported formats)
    DATE_FORMAT,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    THOUSAND_SEPARATOR,
    YEAR_MONTH_FORMAT,
)

# Times on the 24-hour clock, as in the other four languages: "14:30", never "2:30 p.m.".
TIME_FORMAT = "H:i"  # '14:30'
DATETIME_FORMAT = "j M Y, H:i"  # '29 Nov 2026, 14:30'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '29/11/2026 14:30'


DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # '29/11/2026'
    "%Y-%m-%d",  # '2026-11-29' (date pickers, API)
    "%d/%m/%y",  # '29/11/26'
]
