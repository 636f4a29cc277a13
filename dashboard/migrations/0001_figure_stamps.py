"""The triggers that renew the day stamps of the figures the dashboard caches (dashboard.stamps),
and a new stamp for every day: what was cached before is not read again."""

from django.db import migrations


def install(apps, schema_editor):
    from calls import summaries
    from dashboard import stamps

    stamps.install(schema_editor.connection)
    summaries.restamp()


def uninstall(apps, schema_editor):
    from dashboard import stamps

    stamps.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0027_call_day_stamps"),
        ("planner", "0008_fill_day_hours"),
        ("quotes", "0010_pricelist_contract"),
        ("customers", "0013_customer_billing_customer"),
        ("accounts", "0007_operators_group"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
