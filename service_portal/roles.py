"""The role vocabulary: the three roles and the sets of them the portal speaks of, defined once.

Every app, ``accounts.models.User.role`` included, imports them from here; the role checks
(``service_portal.permissions``), the menu (``service_portal.navigation``) and each domain's
access policy (``<app>/access.py``) use these names and nothing else. It sits in
``service_portal`` (the lowest layer) so that the shared views and the menu need no app.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    OPERATOR = "operator", _("Operator")
    TECHNICIAN = "technician", _("Technician")


EVERYONE = frozenset(Role.values)
# The office: the people who run the help desk, take calls, quote and plan.
STAFF = frozenset({Role.ADMINISTRATOR, Role.OPERATOR})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})
TECHNICIANS = frozenset({Role.TECHNICIAN})
# Who works on site: the technician, or an administrator on their behalf.
FIELD = frozenset({Role.ADMINISTRATOR, Role.TECHNICIAN})


def has_role(user: Any, roles: Collection[str]) -> bool:
    """``user`` is signed in, active, and holds one of ``roles``."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and user.role in roles
    )
