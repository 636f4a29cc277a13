"""Issue 16: the quote's events take the shared history shape (service_portal.history): ``user``
becomes ``by`` and ``note`` becomes ``reason``, renamed in place so every recorded event keeps
its author and its text."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0004_text_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="quoteevent", old_name="user", new_name="by"),
        migrations.RenameField(model_name="quoteevent", old_name="note", new_name="reason"),
        migrations.AlterField(
            model_name="quoteevent",
            name="by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        migrations.AlterField(
            model_name="quoteevent",
            name="reason",
            field=models.TextField(blank=True, max_length=2000, verbose_name="reason"),
        ),
        migrations.AlterField(
            model_name="quoteevent",
            name="at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="at"),
        ),
    ]
