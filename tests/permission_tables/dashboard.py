"""Dashboard URLs: administrators and operators; technicians get 403 (their home is elsewhere)."""

from tests.permission_tables import STAFF, Row

ROWS = [
    Row("dashboard:home", STAFF),
    Row("dashboard:home", STAFF, query="date_from=2026-01-01&date_to=2026-12-31"),
    Row("dashboard:export_csv", STAFF),
    Row("dashboard:customer_picker", STAFF, query="q=ac"),
]
