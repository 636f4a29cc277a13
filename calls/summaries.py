"""The call summaries the dashboard counts calls from, at three grains.

- ``CallDaySummary``: the number of calls received on one day by one customer in one status
  (and, for the filters, per type and technician of their interventions; see the model). A
  change to a call or an intervention rewrites the rows of that call's day and customer,
  recounted from the calls, in the same transaction (``refresh_for``): a customer has a handful
  of calls a day, so the recount reads a few index entries.
- ``CallDayTotal``: the same per day for all customers together (the dashboard without a
  customer filter reads a few rows a day instead of one per customer).
- ``OpenCallCount``: the calls open now per status, customer, type and technician, "any"
  included (the dashboard's open calls read at most six rows).

The two coarser tables are sums of the first. ``refresh`` keeps them so by adding the
difference between a (day, customer)'s rows before and after the recount (``INSERT ... ON
CONFLICT DO UPDATE SET calls = calls + n``: an addition under the row's lock, so concurrent
changes of other customers' calls never lose one). The recount of one (day, customer) is
serialised by a transaction-scoped advisory lock on PostgreSQL: two transactions changing calls
of the same customer and day take turns, and the second recounts after the first committed.

Signals cover saves of calls and interventions (services, admin, imports); the services that
write with ``update()`` (the call's status) call ``refresh_for`` themselves. ``rebuild()``
(``manage.py rebuild_call_summaries``, run after ``seed_demo`` and by the nightly job in
docs/operations.md) recounts everything.
"""

from __future__ import annotations

import datetime
import secrets
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from calls.models import (
    CLOSED_STATES,
    Call,
    CallDayProduct,
    CallDayStamp,
    CallDaySummary,
    CallDayTotal,
    Intervention,
    OpenCallCount,
)
from customers.models import Unit

# (by_type, by_technician) -> the intervention fields the rows are grouped by.
_CUBE = {
    (True, False): ("type",),
    (False, True): ("technician",),
    (True, True): ("type", "technician"),
}


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def _grouped(
    calls: QuerySet[Call],
    intervention_model: type[Intervention] = Intervention,
    summary_model: type[CallDaySummary] = CallDaySummary,
) -> list[tuple[QuerySet, bool, bool]]:
    """The four grouped queries that count the summary rows of ``calls``, with the
    (by_type, by_technician) of their rows. The models are parameters for the migrations that
    fill the table (historical models; the product came in a later migration than the
    table)."""
    tz = timezone.get_current_timezone()
    by_product = any(f.name == "product" for f in summary_model._meta.fields)
    product = {"product": F("unit__product")} if by_product else {}
    queries = [
        (
            calls.values("status", "customer", day=TruncDate("received_at", tzinfo=tz), **product)
            .annotate(n=Count("*"))
            .order_by(),
            False,
            False,
        )
    ]
    call_product = {"product": F("call__unit__product")} if by_product else {}
    interventions = intervention_model.objects.filter(call__in=calls.values("pk"))
    for (by_type, by_technician), fields in _CUBE.items():
        queries.append(
            (
                interventions.values(
                    *fields,
                    status=F("call__status"),
                    customer=F("call__customer"),
                    day=TruncDate("call__received_at", tzinfo=tz),
                    **call_product,
                )
                .annotate(n=Count("call", distinct=True))
                .order_by(),
                by_type,
                by_technician,
            )
        )
    return queries


def _rows(calls: QuerySet[Call]) -> list[CallDaySummary]:
    """The summary rows of ``calls``, counted in the database (four grouped queries)."""
    return [
        CallDaySummary(
            day=r["day"],
            status=r["status"],
            customer_id=r["customer"],
            by_type=by_type,
            type_id=r.get("type"),
            by_technician=by_technician,
            technician_id=r.get("technician"),
            product_id=r["product"],
            calls=r["n"],
        )
        for grouped, by_type, by_technician in _grouped(calls)
        for r in grouped
    ]


def insert_select(model: type, queryset: QuerySet, columns: dict[str, str]) -> int:
    """``INSERT INTO model's table SELECT ...`` the rows of a ``values()`` queryset, in the
    database (a rebuild writes millions of rows at scale: no round trip through Python).
    ``columns`` maps the queryset's names to the table's columns; returns the rows written."""
    query = queryset.query
    names = [*query.values_select, *query.annotation_select]
    sql, params = query.sql_with_params()
    q = connection.ops.quote_name
    target = ", ".join(q(columns[name]) for name in names)
    with connection.cursor() as cursor:
        # Names from the models' metadata, quoted; the SELECT is the ORM's with its parameters.
        cursor.execute(f"INSERT INTO {q(model._meta.db_table)} ({target}) {sql}", params)  # noqa: S608
        return cursor.rowcount


_SUMMARY_COLUMNS = {
    "day": "day",
    "status": "status",
    "customer": "customer_id",
    "type": "type_id",
    "technician": "technician_id",
    "product": "product_id",
    "n": "calls",
    "by_type": "by_type",
    "by_technician": "by_technician",
}


# The columns of a day row, in the order _deltas reads them.
_ROW = (
    "day",
    "status",
    "customer",
    "by_type",
    "type",
    "by_technician",
    "technician",
    "product",
    "calls",
)


def _lock(pairs: list[tuple[datetime.date, int]]) -> None:
    """Take turns with other transactions recounting the same (day, customer): a
    transaction-scoped advisory lock per pair, in a fixed order (no deadlock between two
    recounts). SQLite writes one transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for day, customer_id in pairs:
            # 'SD' in the top bits keeps the keys apart from other advisory locks.
            key = (0x5344 << 48) | (customer_id << 20) | day.toordinal()
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _deltas(
    rows: Iterable[tuple],
    sign: int,
    totals: Counter[tuple],
    opens: Counter[tuple],
    products: Counter[tuple],
) -> None:
    """Add ``sign`` × each day row to the day totals, the open counts and the day totals per
    product it is part of."""
    for day, status, customer, by_type, type_id, by_technician, technician, product, n in rows:
        if (by_type and type_id is None) or (by_technician and technician is None):
            continue  # no filter names "no type" or "no technician"
        type_key = type_id if by_type else 0
        technician_key = technician if by_technician else 0
        totals[(type_key, technician_key, day, status)] += sign * n
        if product is not None:
            products[(type_key, technician_key, day, product)] += sign * n
        if status not in CLOSED_STATES:
            opens[(customer, type_key, technician_key, status)] += sign * n
            opens[(0, type_key, technician_key, status)] += sign * n


def _add(model: type, fields: tuple[str, ...], deltas: Counter[tuple]) -> None:
    """``calls = calls + n`` for each key of ``deltas`` (the row made when missing), in key
    order, as one statement."""
    items = sorted((key, n) for key, n in deltas.items() if n)
    if not items:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f) for f in fields)
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    params: list[object] = []
    for key, n in items:
        params += [
            connection.ops.adapt_datefield_value(v) if isinstance(v, datetime.date) else v
            for v in key
        ]
        params.append(n)
    with connection.cursor() as cursor:
        cursor.execute(
            # Names from the model's metadata, quoted; every value is a parameter.
            f"INSERT INTO {table} ({columns}, calls) VALUES {', '.join([row] * len(items))} "  # noqa: S608
            f"ON CONFLICT ({columns}) DO UPDATE SET calls = {table}.calls + EXCLUDED.calls",
            params,
        )


# The stamps are 40-bit: the sum over the days of the widest period the dashboard accepts
# (1990-2199, 76,700 days) stays well inside a 64-bit integer.
_STAMP_BITS = 40


def stamp(days: Iterable[datetime.date]) -> None:
    """Give each day a new stamp (``CallDayStamp``), in the caller's transaction: the figures
    the dashboard cached for periods holding one of them are not read again."""
    days = sorted(set(days))
    if not days:
        return
    table = connection.ops.quote_name(CallDayStamp._meta.db_table)
    params: list[object] = []
    for day in days:
        params += [connection.ops.adapt_datefield_value(day), secrets.randbits(_STAMP_BITS)]
    with connection.cursor() as cursor:
        cursor.execute(
            # The table's name from the model's metadata, quoted; every value is a parameter.
            f"INSERT INTO {table} (day, stamp) VALUES {', '.join(['(%s, %s)'] * len(days))} "  # noqa: S608
            "ON CONFLICT (day) DO UPDATE SET stamp = EXCLUDED.stamp",
            params,
        )


def refresh(pairs: Iterable[tuple[datetime.date, int]]) -> None:
    """Recount the rows of each (day, customer) in ``pairs`` from the calls, and add the
    difference to the day totals and the open counts, in the caller's transaction."""
    pairs = sorted(set(pairs))
    if not pairs:
        return
    where = Q()
    calls = Q()
    for day, customer_id in pairs:
        start, end = _day_bounds(day)
        where |= Q(day=day, customer_id=customer_id)
        calls |= Q(customer_id=customer_id, received_at__gte=start, received_at__lt=end)
    with transaction.atomic():
        _lock(pairs)
        totals: Counter[tuple] = Counter()
        opens: Counter[tuple] = Counter()
        products: Counter[tuple] = Counter()
        old = CallDaySummary.objects.filter(where)
        _deltas(old.values_list(*_ROW), -1, totals, opens, products)
        old.delete()
        new = CallDaySummary.objects.bulk_create(_rows(Call.objects.filter(calls)))
        _deltas(
            (
                (
                    r.day,
                    r.status,
                    r.customer_id,
                    r.by_type,
                    r.type_id,
                    r.by_technician,
                    r.technician_id,
                    r.product_id,
                    r.calls,
                )
                for r in new
            ),
            1,
            totals,
            opens,
            products,
        )
        _add(CallDayTotal, ("type_key", "technician_key", "day", "status"), totals)
        _add(OpenCallCount, ("customer_key", "type_key", "technician_key", "status"), opens)
        _add(CallDayProduct, ("type_key", "technician_key", "day", "product_id"), products)
        stamp(day for day, _customer in pairs)


def pair_of(call: Call) -> tuple[datetime.date, int]:
    return timezone.localtime(call.received_at).date(), call.customer_id


def refresh_for(*calls: Call) -> None:
    """Recount the rows of the calls' days and customers (after any change to them)."""
    refresh(pair_of(call) for call in calls)


def rebuild(
    models: tuple[type, type, type] = (Call, Intervention, CallDaySummary), *, totals: bool = True
) -> int:
    """Every row recounted from all the calls; returns the number of day rows written.
    ``totals=False`` leaves the day totals and open counts alone (the migration that made the
    day rows ran before they existed)."""
    call_model, intervention_model, summary_model = models
    written = 0
    with transaction.atomic():
        summary_model.objects.all().delete()
        for grouped, by_type, by_technician in _grouped(
            call_model.objects.all(), intervention_model, summary_model
        ):
            flags = {"by_type": Value(by_type), "by_technician": Value(by_technician)}
            written += insert_select(summary_model, grouped.annotate(**flags), _SUMMARY_COLUMNS)
        if totals:
            rebuild_totals(summary_model, CallDayTotal, OpenCallCount, CallDayProduct)
            restamp(summary_model)
    return written


def restamp(summary_model: type = CallDaySummary) -> None:
    """A new stamp for every day, those with calls included (after a rebuild: whatever the
    dashboard cached before it is not read again)."""
    q = connection.ops.quote_name
    table = q(CallDayStamp._meta.db_table)
    summary = q(summary_model._meta.db_table)
    value = secrets.randbits(_STAMP_BITS)
    # Table names from the models' metadata, quoted; the stamp is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET stamp = %s", [value])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} (day, stamp) SELECT DISTINCT day, %s FROM {summary} "  # noqa: S608
            f"WHERE true ON CONFLICT (day) DO NOTHING",
            [value],
        )


def rebuild_totals(
    summary_model: type, total_model: type, open_model: type, product_model: type | None = None
) -> None:
    """The day totals, the open counts and (``product_model``, a later table) the day totals per
    product summed from the day rows, in SQL (models are parameters for the migrations that add
    the tables)."""
    q = connection.ops.quote_name
    summary = q(summary_model._meta.db_table)
    total = q(total_model._meta.db_table)
    open_ = q(open_model._meta.db_table)
    keys = "COALESCE(type_id, 0), COALESCE(technician_id, 0)"
    # Rows per type with no type, per technician with no technician: no filter names them.
    usable = "NOT (by_type AND type_id IS NULL) AND NOT (by_technician AND technician_id IS NULL)"
    closed = sorted(s.value for s in CLOSED_STATES)
    is_open = f"status NOT IN ({', '.join(['%s'] * len(closed))})"
    # Table names from the models' metadata, quoted; the states are parameters.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {total}")  # noqa: S608
        cursor.execute(f"DELETE FROM {open_}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {total} (day, status, type_key, technician_key, calls) "  # noqa: S608
            f"SELECT day, status, {keys}, SUM(calls) FROM {summary} WHERE {usable} "
            f"GROUP BY day, status, {keys}"
        )
        # Per customer, then any customer (0).
        for customer, group in (("customer_id", "customer_id, "), ("0", "")):
            cursor.execute(
                f"INSERT INTO {open_} (status, customer_key, type_key, technician_key, calls) "  # noqa: S608
                f"SELECT status, {customer}, {keys}, SUM(calls) FROM {summary} "
                f"WHERE {usable} AND {is_open} GROUP BY status, {group}{keys}",
                closed,
            )
        if product_model is not None:
            product = q(product_model._meta.db_table)
            cursor.execute(f"DELETE FROM {product}")  # noqa: S608
            cursor.execute(
                f"INSERT INTO {product} (day, product_id, type_key, technician_key, calls) "  # noqa: S608
                f"SELECT day, product_id, {keys}, SUM(calls) FROM {summary} "
                f"WHERE {usable} AND product_id IS NOT NULL GROUP BY day, product_id, {keys}"
            )


def _call_saved(sender: type, instance: Call, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        refresh_for(instance)


def _intervention_changed(
    sender: type, instance: Intervention, raw: bool = False, **kwargs: object
) -> None:
    if raw:
        return
    call = Call.objects.filter(pk=instance.call_id).only("received_at", "customer").first()
    if call is not None:
        refresh_for(call)


def _unit_loaded(sender: type, instance: Unit, **kwargs: object) -> None:
    # __dict__: a unit loaded without its product (only()) must not fetch it here.
    instance._summary_product_id = instance.__dict__.get("product_id")
    instance._summary_serial_number = instance.__dict__.get("serial_number")


def _unit_saved(
    sender: type, instance: Unit, created: bool = False, raw: bool = False, **kwargs: object
) -> None:
    """A unit given another product moves its calls to that product's rows; one given
    another serial number stamps its calls' days (the top units break ties by it)."""
    if raw or created:
        return
    product_changed = getattr(instance, "_summary_product_id", None) != instance.product_id
    serial_changed = (
        getattr(instance, "_summary_serial_number", None) != instance.serial_number
        and "serial_number" in instance.__dict__
    )
    if not (product_changed or serial_changed):
        return
    instance._summary_product_id = instance.product_id
    instance._summary_serial_number = instance.serial_number
    calls = Call.objects.filter(unit=instance).values_list("received_at", "customer")
    if product_changed:
        refresh(
            (timezone.localtime(received_at).date(), customer_id)
            for received_at, customer_id in calls
        )
    else:
        stamp(timezone.localtime(received_at).date() for received_at, _customer in calls)


def connect() -> None:
    """Called once from CallsConfig.ready()."""
    from django.db.models.signals import post_delete, post_init, post_save

    post_save.connect(_call_saved, sender=Call, dispatch_uid="call_day_summary")
    post_save.connect(_intervention_changed, sender=Intervention, dispatch_uid="call_day_summary")
    post_delete.connect(_intervention_changed, sender=Intervention, dispatch_uid="call_day_summary")
    post_init.connect(_unit_loaded, sender=Unit, dispatch_uid="call_day_summary")
    post_save.connect(_unit_saved, sender=Unit, dispatch_uid="call_day_summary")
