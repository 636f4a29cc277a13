"""The day stamps the dashboard keys its cached figures by, renewed by the database itself.

``calls.models.CallDayStamp`` holds a random number per day; the dashboard sums the stamps of
the period's days and keys what it caches by that sum (``dashboard.figures``). The Python code
that recounts the call summaries already renews the stamps of the days it recounts
(``calls.summaries.stamp``); the figures also read rows that change without a call being
recounted (planner visits, state history, time entries, quote lines, an intervention's state or
technician, names). The triggers below renew, in the transaction of the change, the stamps of
every day whose figures such a row is part of, whatever writes it (the services, the admin, an
import, a bulk ``update()``, a test's SQL):

- a call: the day it was received (its counts, delays, SLA clocks, top units); a call given
  another customer also the days of everything of its interventions (below), as the customer
  filter reaches visits, completions and hours through the call;
- an intervention: its call's day (hours quoted vs actual, completion); given another call,
  type or technician, inserted or deleted, also the start days of its visits, the days of its
  state changes and the dates of its hours (the technicians' activity is filtered by them);
- a planner activity: its start day (visits per technician) and its call's day (first visit);
- a state change (``InterventionTransition``): its day (completed per technician) and the call's
  day (time to completion);
- a time entry: its date (hours per technician) and its call's day (hours quoted vs actual);
- a quote line: the days of the calls whose interventions carry its quote;
- a name shown (customer, user and their role, product code and description, unit serial number
  and product): the *names day* (``NAMES_DAY``), a day before any period the dashboard accepts,
  which every key includes. Those edits are rare, so one row is not a hot spot.

A timestamp's day is the day in ``TIME_ZONE`` (the days the dashboard's periods are made of).
On PostgreSQL it is converted exactly; SQLite has no time zones, so there the UTC day and the
days on either side are stamped (a stamp too many only costs a cache miss).

Declared once (``TRIGGERS``); each database's SQL is made from that list, as in
``invoicing.waiting``. ``install()`` runs in the migration and after every ``migrate`` (SQLite
drops a table's triggers when a migration remakes the table).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import connection

STAMPS = "calls_calldaystamp"
# A day no period can hold (the dashboard accepts 1990-2199): its stamp stands for the names the
# figures show, and every key includes it.
NAMES_DAY = datetime.date(1900, 1, 1)
# As calls.summaries: 40-bit stamps, so the sum of the widest period fits in 64 bits.
_STAMP_MODULO = 1 << 40


class Days(NamedTuple):
    """The days of some rows: ``column`` read ``FROM source`` (or of the changed row itself,
    without a source), timestamps converted to their local day (``local``) or dates. ``{row}``
    stands for NEW or OLD. Column names are quoted: "start", "at" and "date" are words of SQL."""

    column: str
    source: str = ""
    local: bool = True


def _call_day(call: str) -> Days:
    return Days("received_at", f"calls_call WHERE id = {call}")


def _intervention_call_day(intervention: str) -> Days:
    return Days(
        "c.received_at",
        f"calls_call c JOIN calls_intervention i ON i.call_id = c.id WHERE i.id = {intervention}",
    )


def _everything_of(interventions: str) -> list[Days]:
    """The days of the visits, state changes and hours of the interventions ``interventions``
    (SQL selecting their ids)."""
    return [
        Days('"start"', f"planner_activity WHERE intervention_id IN ({interventions})"),
        Days('"at"', f"calls_interventiontransition WHERE intervention_id IN ({interventions})"),
        Days('"date"', f"planner_timeentry WHERE intervention_id IN ({interventions})", False),
    ]


# The names day, as a date.
_NAMES = (Days(f"'{NAMES_DAY.isoformat()}'", local=False),)


class Trigger(NamedTuple):
    """A change to ``table`` renewing the stamps of ``days`` (of NEW on an insert, of OLD on a
    delete, of both on an update). ``event`` is INSERT, DELETE or UPDATE, the latter only when
    one of the columns ``of`` changes."""

    table: str
    event: str
    days: tuple[Days, ...]
    of: tuple[str, ...] = ()


def _triggers() -> tuple[Trigger, ...]:
    call = (_call_day("{row}.id"),)
    call_deep = (
        *call,
        *_everything_of("SELECT id FROM calls_intervention WHERE call_id = {row}.id"),
    )
    intervention = (_call_day("{row}.call_id"),)
    intervention_deep = (*intervention, *_everything_of("{row}.id"))
    activity = (Days('{row}."start"'), _intervention_call_day("{row}.intervention_id"))
    transition = (Days('{row}."at"'), _intervention_call_day("{row}.intervention_id"))
    hours = (Days('{row}."date"', local=False), _intervention_call_day("{row}.intervention_id"))
    quote_line = (
        Days(
            "c.received_at",
            "calls_call c JOIN calls_intervention i ON i.call_id = c.id "
            "WHERE i.quote_id = {row}.quote_id",
        ),
    )
    descriptions = tuple(f"description_{code}" for code, _name in settings.LANGUAGES)
    triggers = [
        Trigger("calls_call", "INSERT", call),
        Trigger("calls_call", "DELETE", call),
        Trigger(
            "calls_call",
            "UPDATE",
            call,
            of=(
                "received_at",
                "status",
                "unit_id",
                "response_due",
                "responded_at",
                "resolution_due",
                "resolved_at",
            ),
        ),
        Trigger("calls_call", "UPDATE", call_deep, of=("customer_id",)),
        Trigger("calls_intervention", "INSERT", intervention_deep),
        Trigger("calls_intervention", "DELETE", intervention_deep),
        Trigger("calls_intervention", "UPDATE", intervention, of=("state", "quote_id")),
        Trigger(
            "calls_intervention",
            "UPDATE",
            intervention_deep,
            of=("call_id", "type_id", "technician_id"),
        ),
        Trigger("planner_activity", "INSERT", activity),
        Trigger("planner_activity", "DELETE", activity),
        Trigger(
            "planner_activity",
            "UPDATE",
            activity,
            of=("kind", "start", "technician_id", "intervention_id"),
        ),
        Trigger("calls_interventiontransition", "INSERT", transition),
        Trigger("calls_interventiontransition", "DELETE", transition),
        Trigger(
            "calls_interventiontransition",
            "UPDATE",
            transition,
            of=("at", "to_state", "intervention_id"),
        ),
        Trigger("planner_timeentry", "INSERT", hours),
        Trigger("planner_timeentry", "DELETE", hours),
        Trigger(
            "planner_timeentry",
            "UPDATE",
            hours,
            of=("date", "hours", "kind", "user_id", "intervention_id"),
        ),
        Trigger("quotes_quoteline", "INSERT", quote_line),
        Trigger("quotes_quoteline", "DELETE", quote_line),
        Trigger("quotes_quoteline", "UPDATE", quote_line, of=("quantity", "kind", "quote_id")),
        Trigger("customers_customer", "UPDATE", _NAMES, of=("name",)),
        Trigger(
            "accounts_user",
            "UPDATE",
            _NAMES,
            of=("username", "first_name", "last_name", "role"),
        ),
        Trigger("customers_product", "UPDATE", _NAMES, of=("code", *descriptions)),
        Trigger("customers_unit", "UPDATE", _NAMES, of=("serial_number", "product_id")),
    ]
    return tuple(triggers)


_ROWS = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("NEW", "OLD")}


def _name(trigger: Trigger, index: int) -> str:
    return f"dashboard_stamp_{trigger.table}_{trigger.event.lower()}_{index}"


def _quoted_columns(trigger: Trigger) -> list[str]:
    return [connection.ops.quote_name(column) for column in trigger.of]


def _event(trigger: Trigger) -> str:
    if trigger.event != "UPDATE":
        return trigger.event
    return f"UPDATE OF {', '.join(_quoted_columns(trigger))}"


# --- PostgreSQL -------------------------------------------------------------------------------
def _pg_days(trigger: Trigger) -> str:
    """The days to stamp, as one SELECT of dates."""
    zone = settings.TIME_ZONE.replace("'", "")
    parts = []
    for row in _ROWS[trigger.event]:
        for days in trigger.days:
            column = days.column.format(row=row)
            value = f"({column} AT TIME ZONE '{zone}')::date" if days.local else f"({column})::date"
            source = f" FROM {days.source.format(row=row)}" if days.source else ""
            parts.append(f"SELECT {value}{source}")
    return " UNION ".join(parts)


# The table's name and the modulo are this module's constants.
_PG_STAMP = f"""
CREATE OR REPLACE FUNCTION dashboard_stamp_days(days date[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO {STAMPS} (day, stamp)
    SELECT d, floor(random() * {_STAMP_MODULO})::bigint
    FROM (SELECT DISTINCT d FROM unnest(days) AS d WHERE d IS NOT NULL) AS s
    ORDER BY d
    ON CONFLICT (day) DO UPDATE SET stamp = EXCLUDED.stamp
$$;
"""  # noqa: S608


def _pg_statements() -> list[str]:
    statements = [_PG_STAMP]
    for index, trigger in enumerate(_triggers()):
        name = _name(trigger, index)
        statements.append(
            f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dashboard_stamp_days(ARRAY({_pg_days(trigger)}));
    RETURN NULL;
END $$;
"""
        )
        when = ""
        if trigger.event == "UPDATE":
            columns = _quoted_columns(trigger)
            new, old = (", ".join(f"{row}.{c}" for c in columns) for row in ("NEW", "OLD"))
            when = f"WHEN (({new}) IS DISTINCT FROM ({old})) "
        statements.append(
            f"CREATE OR REPLACE TRIGGER {name} AFTER {_event(trigger)} ON {trigger.table} "
            f"FOR EACH ROW {when}EXECUTE FUNCTION {name}()"
        )
    return statements


# --- SQLite -----------------------------------------------------------------------------------
def _sqlite_days(trigger: Trigger) -> str:
    parts = []
    for row in _ROWS[trigger.event]:
        for days in trigger.days:
            column = days.column.format(row=row)
            source = f" FROM {days.source.format(row=row)}" if days.source else ""
            # No time zones in SQLite: the UTC day and its neighbours hold the local day.
            shifts = ("", ", '-1 day'", ", '+1 day'") if days.local else ("",)
            parts += [f"SELECT date({column}{shift}) AS d{source}" for shift in shifts]
    return " UNION ".join(parts)


def _sqlite_statements() -> list[str]:
    statements = []
    for index, trigger in enumerate(_triggers()):
        when = ""
        if trigger.event == "UPDATE":
            columns = _quoted_columns(trigger)
            when = "WHEN " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + " "
        statements.append(
            # Table and column names are this module's constants, not input.
            f"CREATE TRIGGER IF NOT EXISTS {_name(trigger, index)} AFTER {_event(trigger)} "  # noqa: S608
            f"ON {trigger.table} FOR EACH ROW {when}BEGIN "
            f"INSERT INTO {STAMPS} (day, stamp) "
            f"SELECT d, abs(random() % {_STAMP_MODULO}) FROM ({_sqlite_days(trigger)}) "
            "WHERE d IS NOT NULL GROUP BY d "
            "ON CONFLICT (day) DO UPDATE SET stamp = excluded.stamp; END"
        )
    return statements


def install(conn=None) -> None:
    """Create the triggers (idempotent: PostgreSQL replaces them, SQLite skips those present)."""
    conn = conn or connection
    statements = _pg_statements() if conn.vendor == "postgresql" else _sqlite_statements()
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(conn=None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for index, trigger in enumerate(_triggers()):
            name = _name(trigger, index)
            if conn.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {trigger.table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if conn.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS dashboard_stamp_days(date[])")
