from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0006_to_plan_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="intervention",
            index=models.Index(
                condition=models.Q(("state", "verified")),
                fields=["call"],
                name="intervention_verified_idx",
            ),
        ),
    ]
