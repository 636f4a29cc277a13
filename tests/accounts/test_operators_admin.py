"""Operators keep the master data in the Django admin: the "operators" group and its members."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role, User
from accounts.operators import OPERATORS_GROUP, master_data_codenames
from accounts.services import create_user
from orders.models import SparePart

pytestmark = pytest.mark.django_db


def _permissions(group: Group) -> set[tuple[str, str]]:
    return {(p.content_type.app_label, p.codename) for p in group.permissions.all()}


def test_the_migration_made_the_group_with_exactly_the_master_datas_permissions():
    group = Group.objects.get(name=OPERATORS_GROUP)
    assert _permissions(group) == master_data_codenames()
    assert len(master_data_codenames()) == 36  # 9 models x view, add, change, delete
    assert ("accounts", "change_user") not in _permissions(group)


def test_an_operator_created_by_an_administrator_can_log_into_the_admin(administrator):
    operator, _code = create_user(
        acting_user=administrator,
        first_name="Olga",
        last_name="Neri",
        role=Role.OPERATOR,
        language="it",
    )
    operator.refresh_from_db()
    assert operator.is_staff and not operator.is_superuser
    assert operator.groups.filter(name=OPERATORS_GROUP).exists()
    assert operator.has_perm("orders.change_sparepart")
    assert not operator.has_perm("accounts.change_user")
    technician, _code = create_user(
        acting_user=administrator,
        first_name="Tino",
        last_name="Sala",
        role=Role.TECHNICIAN,
        language="it",
    )
    technician.refresh_from_db()
    assert not technician.is_staff and not technician.groups.exists()


def test_an_operator_who_becomes_a_technician_leaves_the_admin(operator):
    user = User.objects.get(pk=operator.pk)
    assert user.is_staff and user.groups.filter(name=OPERATORS_GROUP).exists()
    user.role = Role.TECHNICIAN
    user.save()
    user = User.objects.get(pk=operator.pk)
    assert not user.is_staff and not user.groups.exists()
    assert not user.has_perm("orders.change_sparepart")


def test_the_group_is_made_again_if_a_database_lost_it(operator):
    Group.objects.filter(name=OPERATORS_GROUP).delete()
    user = User.objects.get(pk=operator.pk)
    user.role = Role.TECHNICIAN
    user.save()
    user.role = Role.OPERATOR
    user.save()
    assert _permissions(Group.objects.get(name=OPERATORS_GROUP)) == master_data_codenames()


def test_an_operator_sees_only_the_master_data_in_the_admin_and_edits_it(client, operator):
    client.force_login(operator)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:orders_sparepart_changelist") in index
    assert reverse("admin:quotes_pricelist_changelist") in index
    assert reverse("admin:accounts_user_changelist") not in index
    assert reverse("admin:orders_offer_changelist") not in index
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:orders_sparepart_add")).status_code == 200


def test_no_write_is_left_to_a_technician(client, technician):
    client.force_login(technician)
    response = client.post(reverse("admin:orders_sparepart_add"), {"code": "X1"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not SparePart.objects.filter(code="X1").exists()
