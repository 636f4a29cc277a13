"""The REST API answers portal sessions with 401 (it takes tokens only; scopes are tested in
tests/api/test_auth.py). The schema is public. The installed-base import/export pages are the
customers app's, for administrators only."""

from tests.permission_tables import ADMIN, ADMIN_ONLY, ANON, LOGIN, OPER, PUBLIC, TECH, Row

TOKEN_ONLY = {ANON: 401, TECH: 401, OPER: 401, ADMIN: 401}


def _pk(attr):
    return lambda world: [getattr(world, attr).pk]


def _code(world):
    return ["ERP-1"]


def _any_pk(world):
    return [1]  # refused before any lookup


ROWS = [
    Row("api:schema", PUBLIC),
    Row("api:docs", PUBLIC),
    *(
        row
        for name, attr in (
            ("customer", "customer"),
            ("site", "site"),
            ("contact", "contact"),
            ("unit", "unit"),
            ("product", "product"),
        )
        for row in (
            Row(f"api:{name}-list", TOKEN_ONLY),
            Row(f"api:{name}-detail", TOKEN_ONLY, _pk(attr)),
        )
    ),
    *(
        row
        for name in (
            "spare-part",
            "call",
            "intervention",
            "offer",
            "order",
            "invoice",
            "payment",
            "shipment",
            "order-state",
            "event",
            "counter-reading",
        )
        for row in (
            Row(f"api:{name}-list", TOKEN_ONLY),
            Row(f"api:{name}-detail", TOKEN_ONLY, _any_pk),
        )
    ),
    *(
        Row(f"api:{name}-by-code", TOKEN_ONLY, _code)
        for name in ("customer", "site", "unit", "spare-part", "payment")
    ),
    *(
        Row(f"api:{name}-by-code", TOKEN_ONLY, _code, method="put")
        for name in ("customer", "site", "unit", "spare-part", "payment")
    ),
    Row("api:spare-part-stock-levels", TOKEN_ONLY, method="post", data=lambda world: {}),
    Row("api:counter-reading-list", TOKEN_ONLY, method="post", data=lambda world: {}),
    # Issue 23: warehouses, levels, moves, parts used per intervention.
    *(
        row
        for name in ("warehouse", "stock-level", "stock-move")
        for row in (
            Row(f"api:{name}-list", TOKEN_ONLY),
            Row(f"api:{name}-detail", TOKEN_ONLY, _any_pk),
        )
    ),
    Row("api:stock-move-by-reference", TOKEN_ONLY, _code),
    Row("api:stock-move-by-reference", TOKEN_ONLY, _code, method="put"),
    Row("api:intervention-parts-used", TOKEN_ONLY, _any_pk),
    Row("api:shipment-by-reference", TOKEN_ONLY, _code),
    Row("api:shipment-by-reference", TOKEN_ONLY, _code, method="put"),
    Row("api:order-state-detail", TOKEN_ONLY, _any_pk, method="put"),
    Row("customers:import", ADMIN_ONLY),
    Row(
        "customers:import_apply",
        {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 302},
        method="post",
        data=lambda world: {"key": "expired"},
    ),
    Row("customers:export_xlsx", ADMIN_ONLY),
    Row("customers:export_csv", ADMIN_ONLY, lambda world: ["units"]),
]
