"""Trigram indexes on the descriptions in German, French and Spanish (PostgreSQL only).

``0003_sparepart_trigram`` indexed the code and the Italian and English descriptions; the
languages added by ``0004_five_languages`` had none. The parts searches (the catalogue, the
offer cart, a warehouse's stock) match "code or any description contains ...": one column
without an index in that OR made PostgreSQL read every part (2 s at 200,000 parts); with all
six indexed it combines the six index scans (a ``BitmapOr``). Same expression as ``icontains``
(``UPPER(col::text) LIKE UPPER('%...%')``), ``pg_trgm`` from PostgreSQL's contrib (already
created by 0003). SQLite is left alone.
"""

from django.db import migrations

COLUMNS = ("description_de", "description_fr", "description_es")
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
    dependencies = [("orders", "0011_shipments")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
