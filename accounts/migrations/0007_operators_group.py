"""The "operators" group with the master data's permissions; existing operators join it and
become staff (accounts/operators.py). No other data."""

from django.db import migrations


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from accounts.operators import MASTER_DATA, OPERATORS_GROUP, ensure_operators_group

    # On a new database the permissions are made after the last migration: make them now.
    for label in MASTER_DATA:
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    group = ensure_operators_group(apps)
    user_model = apps.get_model("accounts", "User")
    for user in user_model.objects.filter(role="operator"):
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(group)
    assert group.name == OPERATORS_GROUP


def backwards(apps, schema_editor):
    from accounts.operators import OPERATORS_GROUP

    apps.get_model("auth", "Group").objects.filter(name=OPERATORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_authevent_unlocked"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("calls", "0001_initial"),
        ("customers", "0001_initial"),
        ("orders", "0001_initial"),
        ("quotes", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
