"""Fills the tables added by 0022_call_day_products (a migration of its own: PostgreSQL creates
the new indexes at the end of a migration, which it refuses in a transaction that has written
rows)."""

from django.db import migrations


def fill(apps, schema_editor):
    """The daily call summaries recounted with the product of each call's unit, then every
    coarser table summed from them in SQL (calls.summaries)."""
    from calls.summaries import rebuild, rebuild_totals

    summary = apps.get_model("calls", "CallDaySummary")
    rebuild(
        (apps.get_model("calls", "Call"), apps.get_model("calls", "Intervention"), summary),
        totals=False,
    )
    rebuild_totals(
        summary,
        apps.get_model("calls", "CallDayTotal"),
        apps.get_model("calls", "OpenCallCount"),
        apps.get_model("calls", "CallDayProduct"),
    )


class Migration(migrations.Migration):
    dependencies = [("calls", "0022_call_day_products")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
