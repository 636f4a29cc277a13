"""The demo data gives the installed base ERP codes, idempotently."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from customers.models import Customer, Unit

pytestmark = pytest.mark.django_db


def test_demo_installed_base_has_codes_and_reseeding_keeps_them(api):
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert not Customer.objects.filter(external_code="").exists()
    unit = Unit.objects.order_by("pk").first()
    assert unit.external_code == f"U{unit.pk:06d}"
    codes = dict(Customer.objects.values_list("pk", "external_code"))
    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert dict(Customer.objects.values_list("pk", "external_code")) == codes
    response = api.get(f"/api/v1/units/by-code/{unit.external_code}/")
    assert response.json()["serial_number"] == unit.serial_number
