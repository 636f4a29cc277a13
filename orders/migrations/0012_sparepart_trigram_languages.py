"""Trigram indexes on the descriptions in German, French and Spanish (PostgreSQL only).

``0003_sparepart_trigram`` indexed the code and the Italian and English descriptions; the
languages added by ``0004_five_languages`` had none. The parts searches (the catalogue, the
offer cart, a warehouse's stock) match "code or any description contains ...": one column
without an index in that OR made PostgreSQL read every part (2 s at 200,000 parts); with all
six indexed it combines the six index scans (a ``BitmapOr``). Same expression as ``icontains``
(``UPPER(col::text) LIKE UPPER('%...%')``), ``pg_trgm`` from PostgreSQL's contrib (already
created by 0003). SQLite is left alone.

Then ``ANALYZE``: the planner's estimate of how many parts a typed word matches comes from the
statistics of the indexed expressions, which a new index has none of until the table is next
analysed (autovacuum only does so after enough writes). Without them it guesses a few hundred
matches and walks the whole catalogue in code order looking for 25 of them (1 s at 200,000
parts for a word that matches three); with them it reads the index scans and sorts the few rows.
"""

from django.db import migrations

COLUMNS = ("description_de", "description_fr", "description_es")
CREATE = ("CREATE EXTENSION IF NOT EXISTS pg_trgm",) + tuple(
    f"CREATE INDEX IF NOT EXISTS sparepart_{column}_trgm_idx ON orders_sparepart "
    f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
    for column in COLUMNS
) + ("ANALYZE orders_sparepart",)
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
