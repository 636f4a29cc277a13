"""Customer searches that ignore accents (service_portal/text_search.py) on PostgreSQL.

The ``unaccent`` extension's function is only STABLE (its dictionary could change), so an index
cannot use it: ``portal_unaccent(text)`` is an IMMUTABLE wrapper naming the dictionary, and a
GIN trigram index on ``UPPER(portal_unaccent(name))`` answers "name contains ..." whatever the
accents and the case; two more answer "VAT number / fiscal code contains ...". SQLite gets the same function from Python on each connection.
"""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE OR REPLACE FUNCTION portal_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "CREATE INDEX IF NOT EXISTS customer_name_unaccent_trgm_idx ON customers_customer "
    "USING gin ((UPPER(portal_unaccent(name::text))) gin_trgm_ops)",
    # "VAT number or fiscal code contains ...": in the same search, so that PostgreSQL can
    # combine the three indexes instead of reading every customer.
    "CREATE INDEX IF NOT EXISTS customer_vat_trgm_idx ON customers_customer "
    "USING gin ((vat_number::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_fiscal_code_trgm_idx ON customers_customer "
    "USING gin ((fiscal_code::text) gin_trgm_ops)",
)
DROP = (
    "DROP INDEX IF EXISTS customer_fiscal_code_trgm_idx",
    "DROP INDEX IF EXISTS customer_vat_trgm_idx",
    "DROP INDEX IF EXISTS customer_name_unaccent_trgm_idx",
    "DROP FUNCTION IF EXISTS portal_unaccent(text)",
)


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("customers", "0009_audit_fields_version")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
