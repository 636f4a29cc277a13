"""Demo data is idempotent and complete; the admin pages of price lists and quotes open."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from invoicing.demo import VAT_CASES
from quotes.models import PriceList, Quote, QuoteLine

pytestmark = pytest.mark.django_db


def _seed(scale=0):
    call_command("seed_demo", "--no-logins", f"--scale={scale}", stdout=StringIO())


def test_demo_price_lists_and_quotes_are_idempotent():
    _seed()
    _seed()
    assert PriceList.objects.filter(customer__isnull=True, is_warranty=False).count() == 1
    warranty = PriceList.objects.get(is_warranty=True)
    assert {rate.price for rate in warranty.rates.all()} == {0}
    own = PriceList.objects.get(customer__isnull=False)
    assert own.rates.get(code="MO-TEC").description_en == "Skilled technician labour"
    # Two quotes of the quotes demo, one for the intervention waiting for verification, one per
    # invoicing demo's VAT case (its invoiced call).
    assert Quote.objects.count() == 3 + len(VAT_CASES)
    _seed(scale=1)
    _seed(scale=1)
    assert Quote.objects.count() == 203 + len(VAT_CASES)
    assert QuoteLine.objects.filter(quote__customer__name__startswith="Demo ").count() == 800
    assert len(set(Quote.objects.values_list("code", flat=True))) == 203 + len(VAT_CASES)


def test_admin_pages_open(client_for, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client = client_for(administrator)
    _seed()
    price_list = PriceList.objects.filter(customer__isnull=False).first()
    quote = Quote.objects.first()
    for url in (
        reverse("admin:quotes_pricelist_changelist"),
        reverse("admin:quotes_pricelist_change", args=[price_list.pk]),
        reverse("admin:quotes_rate_changelist"),
        reverse("admin:quotes_rate_change", args=[price_list.rates.first().pk]),
        reverse("admin:quotes_quote_changelist"),
        reverse("admin:quotes_quote_change", args=[quote.pk]),
    ):
        assert client.get(url).status_code == 200, url
