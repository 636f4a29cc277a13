from tests.permission_tables import ADMIN, ADMIN_ONLY, ANON, LOGIN, OPER, PUBLIC, TECH, Row

# The Django admin: administrators (staff, superusers) everything; operators (staff, the
# "operators" group: accounts/operators.py) the master data only; anyone else is sent to the
# admin's own login page (302).
ADMIN_SITE_MASTER_DATA = {ANON: 302, TECH: 302, OPER: 200, ADMIN: 200}
ADMIN_SITE_ADMINISTRATORS = {ANON: 302, TECH: 302, OPER: 403, ADMIN: 200}
MASTER_DATA_PAGES = [
    f"admin:{app}_{model}_{page}"
    for app, model in [
        ("quotes", "pricelist"),
        ("quotes", "rate"),
        ("calls", "interventiontype"),
        ("orders", "paymentmethod"),
        ("orders", "deliveryterm"),
        ("orders", "transport"),
        ("orders", "vatrate"),
        ("orders", "sparepart"),
        ("customers", "product"),
    ]
    for page in ("changelist", "add")
]
OTHER_ADMIN_PAGES = [
    "admin:accounts_user_changelist",
    "admin:auth_group_changelist",
    "admin:customers_customer_changelist",
    "admin:calls_call_changelist",
    "admin:orders_offer_changelist",
    "admin:invoicing_invoice_changelist",
    "admin:api_apitoken_changelist",
]

ROWS = [
    Row("home", {ANON: LOGIN, TECH: 302, OPER: 302, ADMIN: 302}),
    Row("health", PUBLIC),
    Row("company_profile", ADMIN_ONLY),
    Row("company_profile", {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 200}, method="post"),
    # The logo is public like any letterhead (the login page shows it); none in this world.
    Row("company_logo", {ANON: 404, TECH: 404, OPER: 404, ADMIN: 404}),
    Row("company_theme", PUBLIC),
    # The installable portal: its manifest and service worker hold no data (public).
    Row("manifest", PUBLIC),
    Row("service_worker", PUBLIC),
    Row("accounts:login", {ANON: 200, TECH: 302, OPER: 302, ADMIN: 302}),
    Row("accounts:logout", {ANON: 302, TECH: 302, OPER: 302, ADMIN: 302}, method="post"),
    Row(
        "accounts:set_language",
        {ANON: 302, TECH: 302, OPER: 302, ADMIN: 302},
        method="post",
        data=lambda world: {"language": "en"},
    ),
    Row("admin:index", ADMIN_SITE_MASTER_DATA),
    *[Row(name, ADMIN_SITE_MASTER_DATA) for name in MASTER_DATA_PAGES],
    *[Row(name, ADMIN_SITE_ADMINISTRATORS) for name in OTHER_ADMIN_PAGES],
]


def build(world) -> None:
    """The company profile: invoices are issued only when it exists (invoicing's build)."""
    from tests.factories import make_company_profile

    world.company = make_company_profile()
