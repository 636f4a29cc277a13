import pytest
from django.urls import reverse

from tests.orders.factories import make_part, make_sent, make_setting

pytestmark = pytest.mark.django_db


def test_pages_render(operator_client, operator):
    offer = make_sent(operator)
    for url in [
        reverse("orders:offer_list"),
        reverse("orders:order_list"),
        reverse("orders:sparepart_list"),
        reverse("orders:offer_create"),
        reverse("orders:offer_detail", args=[offer.pk]),
        reverse("orders:offer_pdf", args=[offer.pk]),
    ]:
        r = operator_client.get(url)
        assert r.status_code == 200, url
    s = make_setting()
    part = make_part(products=[s["unit"].product])
    r = operator_client.get(reverse("orders:offer_create"), {k: v.pk for k, v in s.items()})
    assert r.status_code == 200
    r = operator_client.post(reverse("orders:offer_create"), {k: v.pk for k, v in s.items()})
    assert r.status_code == 302, r.content.decode()[:3000]
    cart = r["Location"]
    r = operator_client.get(cart)
    assert part.code in r.content.decode()
