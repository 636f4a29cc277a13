"""Optimistic locking: an edit form never overwrites a change it did not show.

One scheme for every app. A record that can be edited by two people at once is ``Versioned``
(``service_portal.models``): its ``version`` goes up by one with every change. The edit form
carries the version it showed (``service_portal.forms.VersionMixin``, required: a form posted
without it is refused); the service locks the row and calls ``check``::

    locked = Model.objects.select_for_update().get(pk=record.pk)
    locking.check(locked, version, error=CallError)   # raises when someone else saved first
    ...change locked...
    locked.save()                                       # version + 1
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

CONFLICT_MESSAGE = _(
    "Someone else changed this record while you were editing it. Your changes have not been "
    "saved: reload the page to see the current data, then apply your changes again."
)


class VersionConflict(Exception):
    """The record changed since the form was loaded."""

    def __init__(self, message: Any = CONFLICT_MESSAGE) -> None:
        super().__init__(str(message))
        self.message = message


def check_value(
    current: int,
    version: int | None,
    *,
    error: type[Exception] = VersionConflict,
    message: Any = CONFLICT_MESSAGE,
) -> None:
    """Raise ``error(message)`` when the row's ``current`` version (read under lock) is not the
    ``version`` the form showed.

    ``None`` is for code that edits without a form (demo data, imports): it checks nothing.
    Every edit form requires its version (``VersionMixin``), so a user's change carries one.
    """
    if version is not None and current != version:
        raise error(str(message))  # in the language of the request


def check(
    record: Any,
    version: int | None,
    *,
    error: type[Exception] = VersionConflict,
    message: Any = CONFLICT_MESSAGE,
) -> None:
    """``check_value`` for a ``Versioned`` record read under lock."""
    check_value(record.version, version, error=error, message=message)
