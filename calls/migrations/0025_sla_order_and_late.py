"""The call search sorted by SLA reads its page from an index over every call (both ways), and
"breached" reads the calls answered or resolved late from a stored flag (``sla.refresh``)."""

from django.conf import settings
from django.db import migrations, models


def _desc_index(apps, schema_editor):
    # The search sorted by SLA the other way: the latest deadline first, calls without a clock
    # still last. PostgreSQL only (SQLite has no NULLS LAST in an index).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX call_sla_order_desc_idx ON calls_call (sla_due DESC NULLS LAST, id DESC)"
        )


def _drop_desc_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS call_sla_order_desc_idx")


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0024_maintenance_plans'),
        ('contracts', '0001_initial'),
        ('customers', '0013_customer_billing_customer'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='call',
            name='call_sla_due_idx',
        ),
        migrations.AddField(
            model_name='call',
            name='sla_late',
            field=models.BooleanField(default=False, editable=False, verbose_name='SLA missed'),
        ),
        # The calls already answered or resolved after their deadline.
        migrations.RunSQL(
            "UPDATE calls_call SET sla_late = TRUE WHERE responded_at > response_due"
            " OR resolved_at > resolution_due",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['sla_due', 'id'], name='call_sla_order_idx'),
        ),
        migrations.RunPython(_desc_index, _drop_desc_index),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('sla_late', True)), fields=['id'], name='call_sla_late_idx'),
        ),
    ]
