"""Fills the table added by 0007_day_hours (a migration of its own: PostgreSQL creates the new
indexes at the end of a migration, which it refuses in a transaction that has written rows)."""

from django.db import migrations


def fill(apps, schema_editor):
    """The daily hours summed from the time entries (planner.summaries)."""
    from planner.summaries import rebuild

    rebuild((apps.get_model("planner", "TimeEntry"), apps.get_model("planner", "DayHours")))


class Migration(migrations.Migration):
    dependencies = [("planner", "0007_day_hours")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
