"""Issue 16: the offer and order histories take the shared shape (service_portal.history):
their ``note`` becomes ``reason``, renamed in place so every recorded row keeps its text."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_text_max_length"),
    ]

    operations = [
        migrations.RenameField(model_name="offerstatechange", old_name="note", new_name="reason"),
        migrations.RenameField(model_name="orderstatechange", old_name="note", new_name="reason"),
        migrations.AlterField(
            model_name="offerstatechange",
            name="reason",
            field=models.TextField(blank=True, max_length=2000, verbose_name="reason"),
        ),
        migrations.AlterField(
            model_name="orderstatechange",
            name="reason",
            field=models.TextField(blank=True, max_length=2000, verbose_name="reason"),
        ),
    ]
