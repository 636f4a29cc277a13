"""Trigram indexes for "code or description contains ..." searches on PostgreSQL.

``icontains`` becomes ``UPPER(col::text) LIKE UPPER('%...%')``; a GIN trigram index on that
expression answers it without reading the whole catalogue. SQLite is left alone.
"""

from django.db import migrations

COLUMNS = ("code", "description_it", "description_en")
CREATE = ("CREATE EXTENSION IF NOT EXISTS pg_trgm",) + tuple(
    f"CREATE INDEX IF NOT EXISTS sparepart_{column}_trgm_idx ON orders_sparepart "
    f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
    for column in COLUMNS
)
DROP = tuple(f"DROP INDEX IF EXISTS sparepart_{column}_trgm_idx" for column in COLUMNS)


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_list_order_indexes")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
