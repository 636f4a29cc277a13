"""Operators in the Django admin: the "operators" group and who belongs to it.

Operators keep the master data there (docs/guide-operator.md): price lists and rates,
intervention types, payment methods, delivery terms, transports, VAT rates, products and spare
parts. The group holds exactly the view, add, change and delete permissions of those models and
nothing else; every operator account is staff (may log into the admin) and in the group, and
loses both when its role changes. The group is made by a migration
(accounts/migrations/0007_operators_group.py) and again whenever an operator is saved, should a
database have lost it.
"""

from __future__ import annotations

from typing import Any

OPERATORS_GROUP = "operators"

# app label -> model names (lowercase, as in the permissions' codenames)
MASTER_DATA: dict[str, tuple[str, ...]] = {
    "quotes": ("pricelist", "rate"),
    "calls": ("interventiontype",),
    "orders": ("paymentmethod", "deliveryterm", "transport", "vatrate", "sparepart"),
    "customers": ("product",),
}
ACTIONS = ("view", "add", "change", "delete")


def master_data_codenames() -> set[tuple[str, str]]:
    """``{("quotes", "change_pricelist"), ...}``: the group's permissions, exactly."""
    return {
        (app, f"{action}_{model}")
        for app, models in MASTER_DATA.items()
        for model in models
        for action in ACTIONS
    }


def ensure_operators_group(apps: Any = None) -> Any:
    """The operators group with exactly its permissions (``apps``: a migration's registry)."""
    if apps is None:
        from django.apps import apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _created = group_model.objects.get_or_create(name=OPERATORS_GROUP)
    wanted = master_data_codenames()
    permissions = [
        permission
        for permission in permission_model.objects.filter(
            content_type__app_label__in=MASTER_DATA,
            codename__in={codename for _app, codename in wanted},
        ).select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    group.permissions.set(permissions)
    return group


def sync_admin_access(user: Any) -> None:
    """An operator is staff and in the group; any other role is out of the group, and a
    technician is not staff (administrators keep what they have)."""
    in_group = user.groups.filter(name=OPERATORS_GROUP).exists()
    if user.is_operator:
        if not in_group:
            user.groups.add(ensure_operators_group())
    elif in_group:
        user.groups.remove(*user.groups.filter(name=OPERATORS_GROUP))
