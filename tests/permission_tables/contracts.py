from tests.contracts.factories import make_contract
from tests.factories import make_unit
from tests.permission_tables import ADMIN_ONLY, Row


def build(world):
    world.contract = make_contract(unit=make_unit())


ROWS = [
    Row("contracts:contract_list", ADMIN_ONLY),
    Row("contracts:contract_create", ADMIN_ONLY),
    Row("contracts:contract_detail", ADMIN_ONLY, lambda world: [world.contract.pk]),
    Row("contracts:contract_update", ADMIN_ONLY, lambda world: [world.contract.pk]),
]
