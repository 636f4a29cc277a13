from tests.factories import make_user
from tests.permission_tables import ADMIN as ADMIN_ROLE
from tests.permission_tables import ANON, LOGIN, OPER, PUBLIC, STAFF, TECH, Row

# POST actions answer with a redirect back to the quote for staff.
STAFF_POST = {ANON: LOGIN, TECH: 403, OPER: 302, ADMIN_ROLE: 302}


def build(world):
    """A draft and a confirmed quote for the customer of tests/permission_tables/customers.py."""
    from quotes.services import confirm_quote, create_quote_from_price_list
    from tests.quotes.factories import make_price_list

    author = make_user("perm-quote-author", "administrator")
    world.price_list = make_price_list(customer=world.customer)
    world.quote = create_quote_from_price_list(
        customer=world.customer, price_list=world.price_list, acting_user=author
    )
    world.confirmed_quote = create_quote_from_price_list(
        customer=world.customer, price_list=world.price_list, acting_user=author
    )
    confirm_quote(quote=world.confirmed_quote, acting_user=author)
    from quotes.services import send_quote

    world.sent_quote = create_quote_from_price_list(
        customer=world.customer, price_list=world.price_list, acting_user=author
    )
    send_quote(quote=world.sent_quote, contact=world.contact, acting_user=author)


def _link(world):
    from quotes.links import make_token

    return [make_token(world.sent_quote.pk)]


def _pk(attr):
    return lambda world: [getattr(world, attr).pk]


ROWS = [
    Row("quotes:quote_list", STAFF),
    Row("quotes:quote_create", STAFF),
    Row("quotes:quote_create", STAFF, query="q=Customer"),
    Row("quotes:quote_detail", STAFF, _pk("quote")),
    Row("quotes:quote_pdf", STAFF, _pk("quote")),
    Row(
        "quotes:quote_totals",
        {ANON: LOGIN, TECH: 403, OPER: 200, ADMIN_ROLE: 200},
        _pk("quote"),
        method="post",
    ),
    Row("quotes:quote_confirm", STAFF_POST, _pk("quote"), method="post"),
    Row("quotes:quote_revise", STAFF_POST, _pk("confirmed_quote"), method="post"),
    # The customer's page works for anyone holding the link, logged in or not.
    Row("quotes:public_quote", PUBLIC, _link),
    Row(
        "quotes:public_quote",
        {ANON: 302, TECH: 302, OPER: 302, ADMIN_ROLE: 302},
        _link,
        method="post",
        data=lambda world: {"name": "Giulia", "decision": "accept"},
    ),
    Row(
        "quotes:public_quote",
        {ANON: 404, TECH: 404, OPER: 404, ADMIN_ROLE: 404},
        lambda world: ["1:forged"],
    ),
    Row("quotes:pricelist_list", STAFF),
    Row("quotes:pricelist_create", STAFF),
    Row("quotes:pricelist_detail", STAFF, _pk("price_list")),
    Row("quotes:pricelist_update", STAFF, _pk("price_list")),
    Row("quotes:pricelist_copy", STAFF, _pk("price_list")),
]
