from tests.factories import make_contact, make_customer, make_product, make_site, make_unit
from tests.permission_tables import EVERYONE, STAFF, Row


def build(world):
    world.customer = make_customer()
    world.site = make_site(world.customer)
    world.contact = make_contact(world.customer, site=world.site)
    world.product = make_product()
    world.unit = make_unit(world.site, world.product)


def _pk(attr):
    return lambda world: [getattr(world, attr).pk]


ROWS = [
    Row("customers:customer_list", EVERYONE),
    Row("customers:customer_create", STAFF),
    Row("customers:customer_picker", STAFF, query="q=customer"),
    Row("customers:customer_detail", EVERYONE, _pk("customer")),
    Row("customers:customer_update", STAFF, _pk("customer")),
    Row("customers:site_create", STAFF, _pk("customer")),
    Row("customers:contact_create", STAFF, _pk("customer")),
    Row("customers:unit_create", STAFF, _pk("customer")),
    Row("customers:site_list", EVERYONE),
    Row("customers:site_detail", EVERYONE, _pk("site")),
    Row("customers:site_update", STAFF, _pk("site")),
    Row("customers:contact_list", EVERYONE),
    Row("customers:contact_detail", EVERYONE, _pk("contact")),
    Row("customers:contact_update", STAFF, _pk("contact")),
    Row("customers:product_list", EVERYONE),
    Row("customers:product_create", STAFF),
    Row("customers:product_detail", EVERYONE, _pk("product")),
    Row("customers:product_update", STAFF, _pk("product")),
    Row("customers:unit_list", EVERYONE),
    Row("customers:unit_detail", EVERYONE, _pk("unit")),
    Row("customers:unit_update", STAFF, _pk("unit")),
]
