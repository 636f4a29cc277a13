"""The calls an administrator has ticked on the "calls to invoice" list, kept on the server.

The selection lives in the administrator's session, so it survives paging, filtering and a
reload, with or without JavaScript: each page's form says which calls it showed and which of
them are ticked (``update``), a tick sends the same through htmx at once (``toggle``), and
"select all matching the filters" adds the filtered calls (``add``). It holds call ids only;
what can be invoiced is decided again, under lock, when the draft is made.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "invoicing_selection"
# One invoice rarely bills more; "select all" past this asks to narrow the filters.
MAX_SELECTED = 500


def selected(session: SessionBase) -> list[int]:
    """The ticked call ids, in the order they were ticked."""
    value = session.get(SESSION_KEY, [])
    return [pk for pk in value if isinstance(pk, int)] if isinstance(value, list) else []


def _store(session: SessionBase, pks: Iterable[int]) -> None:
    unique = list(dict.fromkeys(pks))[:MAX_SELECTED]
    if unique:
        session[SESSION_KEY] = unique
    else:
        session.pop(SESSION_KEY, None)


def update(session: SessionBase, *, shown: Iterable[int], ticked: Iterable[int]) -> list[int]:
    """A page's ticks: its shown calls leave the selection unless ticked; others stay."""
    ticked = list(ticked)
    shown_set = set(shown) | set(ticked)
    kept = [pk for pk in selected(session) if pk not in shown_set]
    _store(session, kept + ticked)
    return selected(session)


def add(session: SessionBase, pks: Iterable[int]) -> list[int]:
    _store(session, [*selected(session), *pks])
    return selected(session)


def room(session: SessionBase) -> int:
    """How many more calls the selection can take."""
    return MAX_SELECTED - len(selected(session))


def clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
