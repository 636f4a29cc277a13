"""State badges read alike everywhere: capitalised, as the calls', quotes' and invoices' are
(the offer and order states stay lowercase inside sentences: "This offer is already sent.")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.orders.factories import make_draft, make_part

pytestmark = pytest.mark.django_db


def test_offer_badges_are_capitalised_in_the_list_and_on_the_offer(operator_client, operator):
    offer = make_draft(operator, parts=[make_part()])
    listing = operator_client.get(reverse("orders:offer_list")).content.decode()
    assert re.search(r'<span class="badge text-bg-secondary">Draft</span>', listing)
    detail = operator_client.get(offer.get_absolute_url()).content.decode()
    assert 'data-testid="offer-state">Draft<' in detail
    assert 'class="badge text-bg-secondary">draft<' not in listing + detail
