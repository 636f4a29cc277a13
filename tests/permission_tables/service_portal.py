from tests.permission_tables import ADMIN, ADMIN_ONLY, ANON, LOGIN, OPER, PUBLIC, TECH, Row

ROWS = [
    Row("home", {ANON: LOGIN, TECH: 302, OPER: 302, ADMIN: 302}),
    Row("health", PUBLIC),
    Row("company_profile", ADMIN_ONLY),
    Row("company_profile", {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 200}, method="post"),
    # The logo is public like any letterhead (the login page shows it); none in this world.
    Row("company_logo", {ANON: 404, TECH: 404, OPER: 404, ADMIN: 404}),
    Row("company_theme", PUBLIC),
    Row("accounts:login", {ANON: 200, TECH: 302, OPER: 302, ADMIN: 302}),
    Row("accounts:logout", {ANON: 302, TECH: 302, OPER: 302, ADMIN: 302}, method="post"),
    Row(
        "accounts:set_language",
        {ANON: 302, TECH: 302, OPER: 302, ADMIN: 302},
        method="post",
        data=lambda world: {"language": "en"},
    ),
]


def build(world) -> None:
    """The company profile: invoices are issued only when it exists (invoicing's build)."""
    from tests.factories import make_company_profile

    world.company = make_company_profile()
