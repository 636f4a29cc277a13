from tests.permission_tables import ADMIN, ANON, LOGIN, OPER, PUBLIC, TECH, Row

ROWS = [
    Row("home", {ANON: LOGIN, TECH: 302, OPER: 302, ADMIN: 302}),
    Row("health", PUBLIC),
    Row("accounts:login", {ANON: 200, TECH: 302, OPER: 302, ADMIN: 302}),
    Row("accounts:logout", {ANON: 302, TECH: 302, OPER: 302, ADMIN: 302}, method="post"),
    Row(
        "accounts:set_language",
        {ANON: 302, TECH: 302, OPER: 302, ADMIN: 302},
        method="post",
        data=lambda world: {"language": "en"},
    ),
]
