"""Stock pages: the office sees and changes every warehouse; a technician sees their own van
only (another warehouse is a 404, as if it did not exist) and changes nothing."""

from tests.factories import make_user
from tests.permission_tables import ADMIN, ANON, EVERYONE, LOGIN, OPER, STAFF, TECH, Row

# Pages of a warehouse the technician does not own: it does not exist for them.
NOT_THEIRS = {ANON: LOGIN, TECH: 404, OPER: 200, ADMIN: 200}
STAFF_POST = {ANON: LOGIN, TECH: 403, OPER: 200, ADMIN: 200}


def build(world):
    from stock.models import Warehouse, WarehouseKind

    world.central = Warehouse.objects.create(
        code="PERM-C", name="Central", kind=WarehouseKind.CENTRAL
    )
    world.van = Warehouse.objects.create(
        code="PERM-V",
        name="Van",
        kind=WarehouseKind.VAN,
        technician=make_user("perm-van-driver", "technician"),
    )


def _pk(attr):
    return lambda world: [getattr(world, attr).pk]


ROWS = [
    Row("stock:warehouse_list", EVERYONE),
    Row("stock:warehouse_detail", NOT_THEIRS, _pk("central")),
    Row("stock:warehouse_detail", NOT_THEIRS, _pk("van"), query="below_minimum=on&q=x"),
    Row("stock:van_restock", STAFF, _pk("van")),
    # An empty confirmation shows the form again (source missing), it records nothing.
    Row("stock:van_restock", STAFF_POST, _pk("van"), method="post"),
    Row("stock:move_list", EVERYONE),
    Row("stock:move_list", EVERYONE, query="kind=receipt&part=x&reference=y"),
    Row("stock:move_create", STAFF),
    Row("stock:move_create", STAFF_POST, method="post"),
]
