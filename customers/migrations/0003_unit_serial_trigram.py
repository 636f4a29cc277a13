"""A trigram index for "serial number contains ..." searches on PostgreSQL.

Django's ``icontains`` becomes ``UPPER(col::text) LIKE UPPER('%...%')`` on PostgreSQL; a GIN
trigram index on that same expression answers it without reading every unit. SQLite (the quick
start database) has no such index type and is left alone.
"""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS unit_serial_trgm_idx ON customers_unit "
    "USING gin ((UPPER(serial_number::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm_idx ON customers_customer "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
)
DROP = (
    "DROP INDEX IF EXISTS unit_serial_trgm_idx",
    "DROP INDEX IF EXISTS customer_name_trgm_idx",
)


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_list_order_indexes")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
