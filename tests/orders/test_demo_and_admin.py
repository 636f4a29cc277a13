"""Demo data and the Django admin of the orders app."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from orders.models import Offer, Order, SparePart
from tests.factories import make_user
from tests.orders.factories import make_sent

pytestmark = pytest.mark.django_db


def test_the_demo_data_is_idempotent():
    call_command("seed_demo", "--no-logins", stdout=io.StringIO())
    counts = (SparePart.objects.count(), Offer.objects.count(), Order.objects.count())
    call_command("seed_demo", "--no-logins", stdout=io.StringIO())
    assert (SparePart.objects.count(), Offer.objects.count(), Order.objects.count()) == counts
    assert counts[1:] == (3, 1)


def test_offers_are_read_only_in_the_admin(client, operator):
    offer = make_sent(operator)
    root = make_user("root", "administrator", is_staff=True, is_superuser=True)
    client.force_login(root)
    page = client.get(reverse("admin:orders_offer_change", args=[offer.pk]))
    assert page.status_code == 200
    assert b'name="notes"' not in page.content  # shown, not editable
    assert client.get(reverse("admin:orders_offer_add")).status_code == 403
    response = client.post(reverse("admin:orders_offer_change", args=[offer.pk]), {"notes": "x"})
    assert response.status_code == 403
    for name in ("orders_sparepart", "orders_vatrate", "orders_paymentmethod", "orders_order"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
