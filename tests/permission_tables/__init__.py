"""The permission table: every URL of the portal, requested by every role.

Each app adds a module here with ``ROWS`` (a list of ``Row``) and, when its URLs need objects,
a ``build(world)`` function that adds them to the shared ``World``. ``tests/test_permissions.py``
runs every row for anonymous, technician, operator and administrator, and fails when a URL of the
portal has no row. docs/permissions.md is the written form of the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

ANON, TECH, OPER, ADMIN = "anonymous", "technician", "operator", "administrator"
ROLES = (ANON, TECH, OPER, ADMIN)

LOGIN = "login"  # a redirect to the login page

# Common expectations for GET requests.
EVERYONE = {ANON: LOGIN, TECH: 200, OPER: 200, ADMIN: 200}
STAFF = {ANON: LOGIN, TECH: 403, OPER: 200, ADMIN: 200}
ADMIN_ONLY = {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 200}
PUBLIC = {ANON: 200, TECH: 200, OPER: 200, ADMIN: 200}


class World(SimpleNamespace):
    """Objects the rows point at; each app's ``build`` adds its own attributes.

    An attribute is set once: a second app reusing a name (``draft``...) would silently point
    the first app's rows at the wrong object, so that is refused.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__:
            raise AttributeError(f"world.{name} is already set by another app's build()")
        super().__setattr__(name, value)


@dataclass(frozen=True)
class Row:
    url_name: str
    expect: dict[str, Any]
    args: Callable[[World], list[Any]] = field(default=lambda world: [])
    query: str = ""
    method: str = "get"
    data: Callable[[World], dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.url_name}{'?' + self.query if self.query else ''}"
