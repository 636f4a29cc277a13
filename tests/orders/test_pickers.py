"""The offer wizard's customer and billing-customer fields are pickers: search as you type, never
a drop-down of every customer; what is posted is still checked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_contact, make_customer, make_site

pytestmark = pytest.mark.django_db

PICKER = "customers:customer_picker"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_wizard_lists_no_customers_and_costs_the_same_with_more_of_them(operator_client):
    url = reverse("orders:offer_create")
    make_customer(name="Alpha Meccanica S.r.l.")
    few = _queries(operator_client, url)
    for n in range(30):
        make_customer(name=f"Cliente numero {n:02d}")
    assert _queries(operator_client, url) == few
    body = operator_client.get(url).content.decode()
    assert "Cliente numero" not in body and "Alpha Meccanica" not in body
    assert 'data-testid="picker-customer"' in body
    assert reverse(PICKER) in body


def test_a_chosen_customer_is_shown_as_the_selects_only_row(operator_client):
    chosen = make_customer(name="Talleres García S.L.")
    make_customer(name="Another One S.p.A.")
    site = make_site(chosen)
    make_contact(chosen, site=site)
    body = operator_client.get(reverse("orders:offer_create"), {"customer": chosen.pk})
    body = body.content.decode()
    assert f'<option value="{chosen.pk}" selected>Talleres García S.L.</option>' in body
    assert "Another One" not in body


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("garcia", ["Talleres García S.L."]),
        ("TALLERES", ["Talleres García S.L."]),
        ("00743110157", ["Officine Bianchi S.p.A."]),
        ("x", []),  # one character: no search yet
        ("nobody", []),
    ],
)
def test_the_customer_picker_finds_active_customers(operator_client, typed, found):
    make_customer(name="Talleres García S.L.", city="Zaragoza")
    make_customer(name="Officine Bianchi S.p.A.", vat_number="IT00743110157")
    make_customer(name="García Cerrada S.L.", is_active=False)
    response = operator_client.get(reverse(PICKER), {"q": typed})
    assert response.status_code == 200
    body = response.content.decode()
    for name in found:
        assert f'data-pick-label="{name}"' in body
    assert body.count("data-pick-value") == len(found)
    assert "Cerrada" not in body
    if len(typed) >= 2 and not found:
        assert "Nothing matches" in body


def test_the_picker_costs_the_same_with_more_customers(operator_client):
    url = f"{reverse(PICKER)}?q=cliente"
    make_customer(name="Cliente numero 00")
    few = _queries(operator_client, url)
    for n in range(1, 40):
        make_customer(name=f"Cliente numero {n:02d}")
    assert _queries(operator_client, url) == few


def test_the_picker_shows_markup_as_text_and_is_staff_only(operator_client, technician_client):
    make_customer(name='<img src=x onerror="alert(1)"> Evil S.r.l.')
    body = operator_client.get(reverse(PICKER), {"q": "evil"}).content.decode()
    assert "<img src=x" not in body and "&lt;img src=x" in body
    assert technician_client.get(reverse(PICKER), {"q": "evil"}).status_code == 403


def test_a_posted_customer_that_is_not_active_is_refused(operator_client):
    inactive = make_customer(name="Chiusa S.r.l.", is_active=False)
    site = make_site(inactive)
    contact = make_contact(inactive, site=site)
    response = operator_client.post(
        reverse("orders:offer_create"),
        {"customer": inactive.pk, "site": site.pk, "contact": contact.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["customer"]


def test_the_offer_list_finds_the_customer_without_accents_or_by_vat_number(
    operator_client, operator
):
    from tests.orders.factories import make_draft, make_setting

    setting = make_setting()
    setting["customer"].name = "Talleres García S.L."
    setting["customer"].vat_number = "ESB12345674"
    setting["customer"].save()
    mine = make_draft(operator, **setting)
    make_draft(operator)  # another customer's
    for typed in ("garcia", "GARCÍA", "B12345674"):
        response = operator_client.get(reverse("orders:offer_list"), {"customer": typed})
        assert list(response.context["object_list"]) == [mine], typed
