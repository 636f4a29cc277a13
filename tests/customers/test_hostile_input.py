"""Hostile input on the installed-base forms and filters: no 500, no injection, no half-saves."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given

from customers.models import Customer, Site, Unit
from tests.factories import make_customer, make_product, make_site
from tests.hostile import HYPOTHESIS, NASTY

pytestmark = pytest.mark.django_db


@HYPOTHESIS
@given(name=NASTY, vat=NASTY, phone=NASTY, email=NASTY, country=NASTY)
def test_customer_form_never_fails_and_never_half_saves(
    operator_client, name, vat, phone, email, country
):
    before = Customer.objects.count()
    response = operator_client.post(
        reverse("customers:customer_create"),
        {
            "name": name,
            "vat_number": vat,
            "phone": phone,
            "email": email,
            "country": country,
            "language": "it",
        },
    )
    assert response.status_code in (200, 302)
    assert Customer.objects.count() in (before, before + 1)
    if response.status_code == 200:
        assert Customer.objects.count() == before


@HYPOTHESIS
@given(serial=NASTY, installed=NASTY, warranty=NASTY, product=NASTY)
def test_unit_form_never_fails(operator_client, serial, installed, warranty, product):
    site = Site.objects.first() or make_site()
    before = Unit.objects.count()
    response = operator_client.post(
        reverse("customers:unit_create", args=[site.customer_id]),
        {
            "serial_number": serial,
            "installation_date": installed,
            "warranty_end": warranty,
            "product": product,
            "site": site.pk,
        },
    )
    assert response.status_code == 200  # every one of these is invalid (product is garbage)
    assert Unit.objects.count() == before


@HYPOTHESIS
@given(q=NASTY, page=NASTY, product=NASTY, warranty=NASTY, customer=NASTY)
def test_list_filters_never_fail(operator_client, q, page, product, warranty, customer):
    for name in (
        "customers:customer_list",
        "customers:unit_list",
        "customers:site_list",
        "customers:contact_list",
        "customers:product_list",
    ):
        response = operator_client.get(
            reverse(name),
            {"q": q, "page": page, "product": product, "warranty": warranty, "customer": customer},
        )
        assert response.status_code == 200, (name, response.status_code)


def test_markup_in_names_is_shown_as_text_everywhere(operator_client):
    evil = '<script>alert("x")</script><b>Evil</b>'
    customer = make_customer(name=evil)
    site = make_site(customer, name=evil)
    for url in (
        reverse("customers:customer_list"),
        customer.get_absolute_url(),
        site.get_absolute_url(),
        reverse("customers:site_list"),
    ):
        body = operator_client.get(url).content.decode()
        assert evil not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_ids_of_records_that_do_not_exist_are_404(operator_client):
    assert (
        operator_client.get(reverse("customers:customer_detail", args=[999999])).status_code == 404
    )
    assert operator_client.get(reverse("customers:unit_create", args=[999999])).status_code == 404


def test_a_site_of_another_customer_cannot_be_smuggled_into_a_unit(operator_client):
    mine, theirs = make_customer(), make_customer()
    make_site(mine)
    foreign = make_site(theirs)
    response = operator_client.post(
        reverse("customers:unit_create", args=[mine.pk]),
        {"serial_number": "S1", "product": make_product().pk, "site": foreign.pk},
    )
    assert response.status_code == 200
    assert not Unit.objects.exists()


def test_a_huge_page_number_shows_the_last_page_not_a_500(operator_client):
    response = operator_client.get(reverse("customers:customer_list"), {"page": "99999999999"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


@pytest.mark.parametrize("value", ["9" * 30, "-1", "1.5", "1e309", "NaN"])
def test_a_customer_filter_out_of_range_is_no_500(operator_client, value):
    make_site(make_customer())
    for name in ("customers:site_list", "customers:contact_list", "customers:unit_list"):
        response = operator_client.get(reverse(name), {"customer": value})
        assert response.status_code == 200, name
