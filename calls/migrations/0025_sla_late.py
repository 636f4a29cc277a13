"""Calls answered or resolved after their SLA deadline carry a stored flag (``sla.refresh``):
the search's "breached" filter reads them from a small index."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0024_maintenance_plans'),
        ('contracts', '0001_initial'),
        ('customers', '0013_customer_billing_customer'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
            index=models.Index(condition=models.Q(('sla_late', True)), fields=['id'], name='call_sla_late_idx'),
        ),
    ]
