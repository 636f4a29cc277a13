"""Searches that ignore accents and case: "garcia" finds "García", "METALLBAU" finds "Metallbau".

``Unaccent(expression)`` is the SQL function ``portal_unaccent``: on PostgreSQL an immutable
wrapper of the ``unaccent`` extension (created by customers' migration 0009 with a trigram index
on ``UPPER(portal_unaccent(name))``, so a search by customer name uses the index); on SQLite the
same name is a Python function registered on every connection (``register_sqlite_functions``).
``folded(text)`` prepares the typed text the same way, in Python.
"""

from __future__ import annotations

import unicodedata

from django.db.models import CharField, Func, Q, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Contains

FUNCTION = "portal_unaccent"


def strip_accents(text: str | None) -> str | None:
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded(text: str) -> str:
    """``text`` without accents, in capitals: what the database compares against."""
    return (strip_accents(text) or "").upper()


class Unaccent(Func):
    function = FUNCTION
    arity = 1
    output_field = CharField()


def contains_folded(field: str, text: str) -> Q:
    """``field`` contains ``text``, whatever the accents and the case."""
    return Q(Contains(Upper(Unaccent(field)), Value(folded(text))))


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: ``portal_unaccent`` on SQLite (PostgreSQL has its own)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, strip_accents, deterministic=True)
