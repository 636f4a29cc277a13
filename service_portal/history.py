"""The history of every document with states, in one shape, written by one helper.

Interventions, quotes, offers, orders, invoices and credit notes each keep an append-only table of
their state changes built on :class:`StatusChange` (from, to, by, at, reason); a document adds
only the foreign key to itself and, where it needs one, a field of its own (the customer's name
for an offer accepted through its link, the action of a quote event).

A service changes a document's state with :func:`apply`: it checks the document's transition map
(``{from: {to, ...}}``), sets and saves the state and records the change, in the caller's
transaction (the caller has locked the row). :func:`record` writes a row without a change of
state (a document created in its first state, a quote's lines changed). :func:`edges` lists the
changes a map allows; the tests compare them with the state diagrams in the docs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusChange(models.Model):
    """One change of a document's state: from, to, by whom, when and why (append-only)."""

    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} -> {self.to_state}"


History = TypeVar("History", bound=StatusChange)
Transitions = Mapping[str, Collection[str]]


class RefusedTransition(Exception):
    """A change the map does not allow, when the caller gives no error of its own."""


def _document_field(history: type[StatusChange], document: models.Model) -> str:
    """The name of the history's foreign key to the document's model."""
    for field in history._meta.get_fields():
        if field.many_to_one and field.related_model is type(document):
            return field.name
    raise TypeError(f"{history.__name__} has no foreign key to {type(document).__name__}")


def record(
    history: type[History],
    document: models.Model,
    *,
    to_state: str,
    by: Any,
    from_state: str = "",
    reason: str = "",
    **extra: Any,
) -> History:
    """Write one history row of ``document`` (no change of its state)."""
    return history.objects.create(
        **{_document_field(history, document): document},
        from_state=from_state,
        to_state=to_state,
        by=by,
        reason=reason,
        **extra,
    )


def apply(
    document: Any,
    to_state: str,
    *,
    history: type[History],
    by: Any,
    reason: str = "",
    allowed: Transitions | None = None,
    refused: Callable[[str, str], Exception] | None = None,
    fields: Iterable[str] = (),
    **extra: Any,
) -> History:
    """Move ``document`` to ``to_state``, save it and record the change.

    ``allowed`` is the document's transition map: a change it does not list raises
    ``refused(from_state, to_state)`` (the app's own translated error) and changes nothing.
    ``None`` means the caller has checked the change itself (interventions check roles and
    preconditions too). ``fields`` are other fields the caller changed and wants saved with the
    state; ``updated_at`` is saved when the model has one.
    """
    from_state = document.state
    if allowed is not None and to_state not in allowed.get(from_state, ()):
        error = refused(from_state, to_state) if refused is not None else None
        raise error or RefusedTransition(f"{from_state} -> {to_state}")
    document.state = to_state
    update = ["state", *(name for name in fields if name != "state")]
    if "updated_at" not in update and any(
        f.name == "updated_at" for f in document._meta.concrete_fields
    ):
        update.append("updated_at")
    document.save(update_fields=update)
    return record(
        history,
        document,
        from_state=from_state,
        to_state=to_state,
        by=by,
        reason=reason,
        **extra,
    )


def edges(transitions: Transitions) -> set[tuple[str, str]]:
    """Every ``(from, to)`` change the map allows (for the diagrams' tests)."""
    return {(str(a), str(b)) for a, targets in transitions.items() for b in targets}
