"""Who may quote, sell and invoice: the tables ``quotes.access``, ``orders.access`` and
``invoicing.access`` answer, by role (these documents have no owner: the office shares them)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from accounts.models import User
from invoicing import access as invoicing_access
from orders import access as orders_access
from quotes import access as quotes_access
from service_portal.roles import Role

ROLES = (Role.ADMINISTRATOR, Role.OPERATOR, Role.TECHNICIAN)

# (what, rule, allowed for administrator, operator, technician)
TABLE = [
    ("work on quotes and price lists", quotes_access.may_quote, (1, 1, 0)),
    ("work on offers and orders", orders_access.may_sell, (1, 1, 0)),
    ("verify, invoice and credit", invoicing_access.may_invoice, (1, 0, 0)),
]


@pytest.mark.parametrize(("what", "rule", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_the_access_table(what, rule, expected):
    users = [User(pk=n, username=role, role=role) for n, role in enumerate(ROLES, 1)]
    assert tuple(int(rule(user)) for user in users) == expected, what


@pytest.mark.parametrize(
    "check", [quotes_access.check_may_quote, orders_access.check_may_sell], ids=["quotes", "orders"]
)
def test_a_technician_is_refused_with_403(check):
    with pytest.raises(PermissionDenied):
        check(User(pk=1, username="t", role=Role.TECHNICIAN))
    check(User(pk=2, username="o", role=Role.OPERATOR))


def test_a_deactivated_administrator_may_not_invoice():
    assert not invoicing_access.may_invoice(
        User(pk=1, username="a", role=Role.ADMINISTRATOR, is_active=False)
    )


def test_prices_are_changed_by_administrators_or_with_the_permission(
    administrator, operator, technician
):
    assert quotes_access.can_change_prices(administrator)
    assert not quotes_access.can_change_prices(operator)
    assert not quotes_access.can_change_prices(technician)
    operator.user_permissions.add(Permission.objects.get(codename="change_quote_prices"))
    operator = User.objects.get(pk=operator.pk)  # permissions are cached per instance
    assert quotes_access.can_change_prices(operator)
