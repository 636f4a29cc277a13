"""The calls waiting to be invoiced with their verified figures (``CallToInvoice``), kept by the
database itself so that the batch preview reads one row per waiting call of its page's payers.

A call waits when it has a verified intervention, nothing still open and is on no draft
(``selectors.billable_calls``); its row holds its customer (the plant: the payer is read
through the customer, so a change of billing customer needs nothing), the latest verification
of its verified interventions, their number, the sums of their verified figures (NULL when
none has figures, as SQL's SUM) and how many have none.

Kept by triggers, in the transaction of the change: whatever writes the rows the rule reads
(the services, the admin, an import, a test's ``update()``) rewrites the rows of the calls it
touches, recomputed from those calls:

- ``calls_intervention``: a row inserted or deleted, its state, time of the state change or
  call changed (verification, sending back, reopening, invoicing, a credit note's re-billing);
- ``invoicing_verifiedfigures``: figures recorded, changed or dropped;
- ``invoicing_invoice_calls``: a call put on or taken off an invoice (draft made, call
  removed, draft discarded);
- ``invoicing_invoice``: an invoice's state (a draft issued frees calls that still have
  verified work not on it);
- ``calls_call``: a call's customer.

Each rewrite is "delete the calls' rows, insert them again from the source tables", one row
per call and no shared counter, so two transactions never add to the same total. On PostgreSQL
the rewrite of a call first takes a transaction-scoped advisory lock on its bucket (the call id
modulo 256, so that a bulk change holds a bounded number of locks): two transactions
changing the same call take turns, and the second recomputes after the first committed (it then
sees both changes). SQLite writes one transaction at a time.

The triggers are declared once (``TRIGGERS``: the table, the event, where the changed row's
calls are); each database's SQL is made from that list: on PostgreSQL one function a table,
on SQLite one trigger an event.

``install()`` creates the triggers (the migration, and after every ``migrate``: SQLite drops a
table's triggers when a migration remakes the table, so they are put back, and the rows
recomputed, whenever one is missing); ``rebuild()`` (``manage.py rebuild_calls_to_invoice``)
recomputes every row.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q

from calls.models import State
from invoicing.billing import NOT_BILLED_STATES

TABLE = "invoicing_calltoinvoice"
# The states of work still open: a call with one of these is not invoiced yet.
_OPEN = sorted(
    s.value for s in State if s not in {*NOT_BILLED_STATES, State.VERIFIED, State.INVOICED}
)
# 'CI' in the top bits keeps the keys apart from the other advisory locks (calls.summaries).
_LOCK_PREFIX = 0x4349 << 48
# Calls share one lock per bucket (call id modulo this): a transaction that touches ten thousand
# calls (a bulk insert, the seed) holds at most this many locks instead of one per call, which
# ran PostgreSQL's shared lock table out of memory. Two calls in one bucket only take turns.
_LOCK_BUCKETS = 256


def _quoted(values: list[str]) -> str:
    # The states are the model's constants (letters and underscores), not input.
    assert all(v.replace("_", "").isalpha() for v in values)
    return ", ".join(f"'{v}'" for v in values)


def _rows_of(where: str) -> str:
    """The INSERT of the rows of the calls ``where`` selects (``c`` is the call)."""
    # Table names and states are this module's constants, ``where`` is SQL of this module.
    return f"""
INSERT INTO {TABLE}
    (call_id, customer_id, last_verified_at, interventions, taxable, total, without_figures)
SELECT c.id, c.customer_id, MAX(i.state_changed_at), COUNT(*), SUM(f.taxable), SUM(f.total),
       COUNT(*) - COUNT(f.id)
FROM calls_call c
JOIN calls_intervention i ON i.call_id = c.id AND i.state = '{State.VERIFIED.value}'
LEFT JOIN invoicing_verifiedfigures f ON f.intervention_id = i.id
WHERE ({where})
  AND NOT EXISTS (SELECT 1 FROM calls_intervention o
                  WHERE o.call_id = c.id AND o.state IN ({_quoted(_OPEN)}))
  AND NOT EXISTS (SELECT 1 FROM invoicing_invoice_calls ic
                  JOIN invoicing_invoice d ON d.id = ic.invoice_id
                  WHERE ic.call_id = c.id AND d.state = 'draft')
GROUP BY c.id, c.customer_id"""  # noqa: S608


# --- The triggers: which change rewrites which calls, declared once for both databases --------
class Trigger(NamedTuple):
    """A change to ``table`` that rewrites the rows of the calls it touches. ``event`` is
    INSERT, DELETE or UPDATE, the latter only when one of the columns ``of`` (which an UPDATE
    names) changes. The calls are the changed row's ``column`` (NEW's on an insert, OLD's on a
    delete, both on an update), or with ``via`` (``"table.key"``) the ``call_id`` of that
    table's rows whose key is it."""

    table: str
    event: str
    column: str
    via: str = ""
    of: tuple[str, ...] = ()


TRIGGERS = (
    Trigger("calls_intervention", "INSERT", "call_id"),
    Trigger("calls_intervention", "DELETE", "call_id"),
    Trigger("calls_intervention", "UPDATE", "call_id", of=("state", "state_changed_at", "call_id")),
    Trigger("invoicing_verifiedfigures", "INSERT", "intervention_id", via="calls_intervention.id"),
    Trigger("invoicing_verifiedfigures", "DELETE", "intervention_id", via="calls_intervention.id"),
    Trigger(
        "invoicing_verifiedfigures",
        "UPDATE",
        "intervention_id",
        via="calls_intervention.id",
        of=("taxable", "total", "intervention_id"),
    ),
    Trigger("invoicing_invoice_calls", "INSERT", "call_id"),
    Trigger("invoicing_invoice_calls", "DELETE", "call_id"),
    Trigger("invoicing_invoice_calls", "UPDATE", "call_id", of=("call_id", "invoice_id")),
    Trigger(
        "invoicing_invoice", "UPDATE", "id", via="invoicing_invoice_calls.invoice_id", of=("state",)
    ),
    Trigger("calls_call", "UPDATE", "id", of=("customer_id",)),
)
# The rows a trigger reads its calls from, by event; also the order of a PostgreSQL function's
# branches (the last, UPDATE, is reached only by an update).
_ROWS = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("NEW", "OLD")}


def _event(trigger: Trigger) -> str:
    """The event as a CREATE TRIGGER names it (the same words in both databases)."""
    return f"UPDATE OF {', '.join(trigger.of)}" if trigger.event == "UPDATE" else trigger.event


def _calls_of(trigger: Trigger) -> str:
    """The SQL of the call ids of the changed row(s): a list of values, or a SELECT."""
    values = ", ".join(f"{row}.{trigger.column}" for row in _ROWS[trigger.event])
    if not trigger.via:
        return values
    table, key = trigger.via.split(".")
    return f"SELECT call_id FROM {table} WHERE {key} IN ({values})"  # noqa: S608


def _by_table() -> dict[str, list[Trigger]]:
    """The triggers of each table (on PostgreSQL one function a table), in ``_ROWS``'s order."""
    tables: dict[str, list[Trigger]] = {}
    for trigger in sorted(TRIGGERS, key=lambda t: list(_ROWS).index(t.event)):
        tables.setdefault(trigger.table, []).append(trigger)
    return tables


# --- PostgreSQL: one function rewrites a set of calls, one trigger function per table ----------
_PG_REFRESH = f"""
CREATE OR REPLACE FUNCTION invoicing_refresh_calls_to_invoice(ids bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE k bigint;
BEGIN
    FOR k IN SELECT DISTINCT x % {_LOCK_BUCKETS} FROM unnest(ids) AS x WHERE x IS NOT NULL
             ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock({_LOCK_PREFIX} | k);
    END LOOP;
    DELETE FROM {TABLE} WHERE call_id = ANY(ids);
    {_rows_of("c.id = ANY(ids)")};
END $$;
"""  # noqa: S608 (this module's constants only)


def _pg_statements() -> list[str]:
    statements = [_PG_REFRESH]
    for table, triggers in _by_table().items():
        function = f"{table}_to_invoice"
        statements.append(_pg_function(function, triggers))
        events = " OR ".join(_event(trigger) for trigger in triggers)
        statements.append(
            f"CREATE OR REPLACE TRIGGER {function} AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    return statements


def _pg_function(name: str, triggers: list[Trigger]) -> str:
    """The trigger function of one table: a branch per event, each rewriting its calls."""
    branches = []
    for trigger in triggers:
        branches.append(
            f"    {'ELSIF' if branches else 'IF'} {_pg_when(trigger)} THEN\n"
            f"        PERFORM invoicing_refresh_calls_to_invoice({_pg_calls(trigger)});\n"
        )
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{"".join(branches)}    END IF;
    RETURN NULL;
END $$;
"""


def _pg_when(trigger: Trigger) -> str:
    """When the trigger's function rewrites calls: on its event, an update only when one of its
    columns changed (its branch comes last, after the insert's and the delete's)."""
    if trigger.event != "UPDATE":
        return f"TG_OP = '{trigger.event}'"
    new, old = (", ".join(f"{row}.{column}" for column in trigger.of) for row in _ROWS["UPDATE"])
    return f"({new}) IS DISTINCT FROM ({old})"


def _pg_calls(trigger: Trigger) -> str:
    """The call ids as the array that the rewrite takes."""
    calls = _calls_of(trigger)
    return f"ARRAY({calls})" if trigger.via else f"ARRAY[{calls}]"


# --- SQLite: a trigger per table and event, each rewriting the calls it names -----------------
def _sqlite_name(trigger: Trigger) -> str:
    return f"{trigger.table}_{trigger.event.lower()}_to_invoice"


def _sqlite_statements() -> list[str]:
    statements = []
    for trigger in TRIGGERS:
        ids = _calls_of(trigger)
        body = f"DELETE FROM {TABLE} WHERE call_id IN ({ids}); {_rows_of(f'c.id IN ({ids})')};"  # noqa: S608
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {_sqlite_name(trigger)} AFTER {_event(trigger)} "
            f"ON {trigger.table} FOR EACH ROW BEGIN {body} END"
        )
    return statements


def _missing_sqlite_triggers(cursor) -> bool:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    present = {row[0] for row in cursor.fetchall()}
    return any(_sqlite_name(trigger) not in present for trigger in TRIGGERS)


def install(conn=None) -> bool:
    """Create the triggers (idempotent); returns True when some were missing (SQLite) and the
    rows were therefore recomputed."""
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            for statement in _pg_statements():
                cursor.execute(statement)
            return False
        if conn.vendor != "sqlite":
            raise NotImplementedError(conn.vendor)
        missing = _missing_sqlite_triggers(cursor)
        if missing:
            for statement in _sqlite_statements():
                cursor.execute(statement)
    if missing:
        rebuild(conn)
    return missing


def uninstall(conn=None) -> None:
    """Drop the triggers (the migration's reverse)."""
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            for table in _by_table():
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_to_invoice ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {table}_to_invoice()")
            cursor.execute("DROP FUNCTION IF EXISTS invoicing_refresh_calls_to_invoice(bigint[])")
        else:
            for trigger in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {_sqlite_name(trigger)}")


def rebuild(conn=None) -> int:
    """Every row recomputed from the calls (the migration, ``rebuild_calls_to_invoice``);
    returns the number of calls waiting. On PostgreSQL the table is locked against the
    triggers' rewrites meanwhile (they wait, then rewrite their calls again)."""
    conn = conn or connection
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        cursor.execute(_rows_of("TRUE" if conn.vendor == "postgresql" else "1"))
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def waiting_by(end: datetime.datetime, prefix: str = "") -> Q:
    """The rows of calls whose interventions were all verified before ``end`` (a verified
    intervention without a time of verification never holds a call back, as in
    ``batches.batch_calls``)."""
    return Q(**{f"{prefix}last_verified_at__lt": end}) | Q(
        **{f"{prefix}last_verified_at__isnull": True}
    )
