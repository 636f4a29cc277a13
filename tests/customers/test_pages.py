"""The installed-base pages as the office staff uses them."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Contact, Customer, Product, Site, Unit
from customers.views import UNITS_ON_DETAIL
from tests.factories import make_contact, make_customer, make_product, make_site, make_unit

pytestmark = pytest.mark.django_db

VALID_IT_VAT = "IT00743110157"


def test_operator_creates_a_customer_and_the_vat_number_is_normalised(operator_client):
    response = operator_client.post(
        reverse("customers:customer_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Acme Italia S.r.l.",
            "vat_number": "00743110157",
            "country": "IT",
            "language": "it",
            "phone": "02 1234567",
            "is_active": "on",
        },
    )
    customer = Customer.objects.get(name="Acme Italia S.r.l.")
    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    assert customer.vat_number == VALID_IT_VAT
    assert customer.phone == "+39 02 123 4567"


def test_a_bad_vat_number_is_refused_and_the_typed_data_stays(operator_client):
    response = operator_client.post(
        reverse("customers:customer_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Typo S.p.A.",
            "vat_number": "IT12345678901",
            "country": "IT",
            "language": "it",
            "city": "Brescia",
            "notes": "important notes",
        },
    )
    assert response.status_code == 200
    assert "is not a valid VAT number" in response.content.decode()
    assert response.context["form"]["city"].value() == "Brescia"
    assert response.context["form"]["notes"].value() == "important notes"
    assert not Customer.objects.filter(name="Typo S.p.A.").exists()


def test_errors_are_translated_for_an_italian_user(client_for, operator):
    operator.language = "it"
    operator.save()
    response = client_for(operator).post(
        reverse("customers:customer_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "",
            "vat_number": "IT12345678901",
            "country": "IT",
            "language": "it",
        },
    )
    body = response.content.decode()
    assert "non è una partita IVA valida" in body
    assert "Questo campo è obbligatorio" in body


def test_a_duplicate_vat_number_is_refused(operator_client):
    make_customer(vat_number=VALID_IT_VAT)
    response = operator_client.post(
        reverse("customers:customer_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Copy",
            "vat_number": VALID_IT_VAT,
            "country": "IT",
            "language": "it",
        },
    )
    assert response.status_code == 200
    assert "Another customer already has this VAT number." in response.content.decode()


def test_italian_fiscal_code_and_phone_are_checked(operator_client):
    response = operator_client.post(
        reverse("customers:customer_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Mario",
            "fiscal_code": "RSSMRA80A01F205Z",
            "phone": "12",
            "country": "IT",
            "language": "it",
        },
    )
    body = response.content.decode()
    assert "is not a valid Italian fiscal code" in body
    assert "is not a valid phone number" in body


def test_a_person_fiscal_code_is_accepted(operator_client):
    operator_client.post(
        reverse("customers:customer_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Mario Rossi",
            "fiscal_code": "rssmra80a01f205x",
            "country": "IT",
            "language": "it",
        },
    )
    assert Customer.objects.get(name="Mario Rossi").fiscal_code == "RSSMRA80A01F205X"


def test_site_contact_and_unit_are_added_from_the_customer(operator_client):
    customer = make_customer()
    product = make_product(code="CMP-300")
    operator_client.post(
        reverse("customers:site_create", args=[customer.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Plant 2",
            "city": "Lodi",
            "country": "IT",
            "is_active": "on",
        },
    )
    site = Site.objects.get(customer=customer, name="Plant 2")
    operator_client.post(
        reverse("customers:contact_create", args=[customer.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Giulia",
            "site": site.pk,
            "phone": "+39 0371 445566",
            "is_active": "on",
        },
    )
    assert Contact.objects.get(name="Giulia").site == site
    response = operator_client.post(
        reverse("customers:unit_create", args=[customer.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "product": product.pk,
            "serial_number": " ab-123 ",
            "site": site.pk,
            "installation_date": "2026-01-10",
            "warranty_end": "2028-01-10",
        },
    )
    unit = Unit.objects.get(serial_number="AB-123")
    assert response["Location"] == unit.get_absolute_url()
    page = operator_client.get(customer.get_absolute_url()).content.decode()
    assert "Plant 2" in page and "Giulia" in page and "AB-123" in page


def test_a_serial_number_already_registered_for_the_product_is_refused(operator_client):
    unit = make_unit(serial_number="SN-1")
    customer = unit.site.customer
    response = operator_client.post(
        reverse("customers:unit_create", args=[customer.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "product": unit.product_id,
            "serial_number": "sn-1",
            "site": unit.site_id,
        },
    )
    assert response.status_code == 200
    assert "A unit with this serial number already exists for this product." in (
        response.content.decode()
    )
    assert Unit.objects.count() == 1


def test_the_same_serial_number_on_another_product_is_fine(operator_client):
    unit = make_unit(serial_number="SN-1")
    other = make_product()
    operator_client.post(
        reverse("customers:unit_create", args=[unit.site.customer_id]),
        {
            "submission_token": str(uuid.uuid4()),
            "product": other.pk,
            "serial_number": "SN-1",
            "site": unit.site_id,
        },
    )
    assert Unit.objects.filter(serial_number="SN-1").count() == 2


def test_warranty_cannot_end_before_installation(operator_client):
    site = make_site()
    response = operator_client.post(
        reverse("customers:unit_create", args=[site.customer_id]),
        {
            "submission_token": str(uuid.uuid4()),
            "product": make_product().pk,
            "serial_number": "X1",
            "site": site.pk,
            "installation_date": "2026-05-01",
            "warranty_end": "2026-01-01",
        },
    )
    assert "The warranty cannot end before the installation." in response.content.decode()
    assert not Unit.objects.exists()


def test_only_the_customer_own_sites_are_offered(operator_client):
    customer, stranger = make_customer(), make_customer()
    make_site(customer, name="Mine")
    foreign = make_site(stranger, name="Foreign")
    response = operator_client.get(reverse("customers:unit_create", args=[customer.pk]))
    assert "Mine" in response.content.decode()
    assert "Foreign" not in response.content.decode()
    response = operator_client.post(
        reverse("customers:contact_create", args=[customer.pk]),
        {"submission_token": str(uuid.uuid4()), "name": "Sneaky", "site": foreign.pk},
    )
    assert response.status_code == 200
    assert not Contact.objects.filter(name="Sneaky").exists()


def test_a_technician_can_read_but_not_write(technician_client):
    customer = make_customer()
    assert technician_client.get(customer.get_absolute_url()).status_code == 200
    response = technician_client.post(
        reverse("customers:customer_update", args=[customer.pk]), {"name": "Hacked"}
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name != "Hacked"


def test_a_stale_edit_does_not_overwrite_a_newer_one(operator_client):
    customer = make_customer(name="Original")
    page = operator_client.get(reverse("customers:customer_update", args=[customer.pk]))
    version = page.context["form"].initial["version"]
    data = {"name": "First edit", "country": "IT", "language": "it", "version": version}
    assert (
        operator_client.post(
            reverse("customers:customer_update", args=[customer.pk]), data
        ).status_code
        == 302
    )
    data["name"] = "Second, stale edit"
    response = operator_client.post(reverse("customers:customer_update", args=[customer.pk]), data)
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "First edit"


def test_product_descriptions_are_translatable(client_for, operator):
    product = make_product(
        code="LAS-1", description_it="Taglio laser", description_en="Laser cutter"
    )
    operator.language = "it"
    operator.save()
    assert (
        "Taglio laser"
        in client_for(operator).get(reverse("customers:product_list")).content.decode()
    )
    operator.language = "en"
    operator.save()
    assert "Laser cutter" in client_for(operator).get(product.get_absolute_url()).content.decode()


class TestSearch:
    def test_customers_by_name_vat_or_city(self, operator_client):
        make_customer(name="Bianchi S.p.A.", city="Milano", vat_number=VALID_IT_VAT)
        make_customer(name="Rossi S.r.l.", city="Roma")
        url = reverse("customers:customer_list")
        for q in ("bianchi", "00743110157", "milano"):
            body = operator_client.get(url, {"q": q}).content.decode()
            assert "Bianchi S.p.A." in body and "Rossi S.r.l." not in body, q

    def test_units_by_serial_number_and_warranty(self, operator_client):
        make_unit(serial_number="ABC-001")
        make_unit(serial_number="XYZ-002", warranty_end=None)
        url = reverse("customers:unit_list")
        body = operator_client.get(url, {"q": "abc"}).content.decode()
        assert "ABC-001" in body and "XYZ-002" not in body
        body = operator_client.get(url, {"warranty": "out"}).content.decode()
        assert "XYZ-002" in body and "ABC-001" not in body

    def test_units_by_product_code_or_customer_name(self, operator_client):
        press = make_product(code="PRS-77")
        bianchi = make_site(make_customer(name="Officine Bianchi"))
        make_unit(serial_number="S-100", product=press)
        make_unit(bianchi, serial_number="S-200")
        make_unit(serial_number="S-300")
        url = reverse("customers:unit_list")
        body = operator_client.get(url, {"q": "prs-77"}).content.decode()
        assert "S-100" in body and "S-200" not in body and "S-300" not in body
        body = operator_client.get(url, {"q": "bianchi"}).content.decode()
        assert "S-200" in body and "S-100" not in body and "S-300" not in body
        body = operator_client.get(url, {"q": "s-3"}).content.decode()
        assert "S-300" in body and "S-100" not in body and "S-200" not in body
        assert "S-300" not in operator_client.get(url, {"q": "nothing like it"}).content.decode()

    def test_a_customer_with_more_sites_than_listed_still_finds_all_its_units(
        self, operator_client, monkeypatch
    ):
        monkeypatch.setattr("customers.filters.SITE_IDS_LIMIT", 2)
        customer = make_customer(name="Rossi Impianti")
        for n in range(4):
            make_unit(make_site(customer), serial_number=f"R-{n}")
        make_unit(serial_number="R-other")
        response = operator_client.get(reverse("customers:unit_list"), {"q": "rossi"})
        serials = {unit.serial_number for unit in response.context["object_list"]}
        assert serials == {"R-0", "R-1", "R-2", "R-3"}

    def test_contacts_by_name_email_phone_or_customer_name(self, operator_client):
        verdi = make_customer(name="Verdi Impianti")
        make_contact(verdi, name="Anna Neri", email="anna@example.com")
        make_contact(make_customer(name="Other"), name="Marco Gialli", phone="+39 02 555 1234")
        url = reverse("customers:contact_list")

        def names(q):
            response = operator_client.get(url, {"q": q})
            return {contact.name for contact in response.context["object_list"]}

        assert names("verdi") == {"Anna Neri"}
        assert names("ANNA@") == {"Anna Neri"}
        assert names("555 12") == {"Marco Gialli"}
        assert names("gialli") == {"Marco Gialli"}
        assert names("nobody") == set()

    def test_an_invalid_filter_is_not_an_error_page(self, operator_client):
        response = operator_client.get(reverse("customers:unit_list"), {"product": "nope"})
        assert response.status_code == 200

    def test_lists_are_paginated(self, operator_client, settings):
        for _ in range(30):
            make_customer()
        response = operator_client.get(reverse("customers:customer_list"))
        assert len(response.context["object_list"]) == 25
        assert (
            operator_client.get(reverse("customers:customer_list"), {"page": 2}).status_code == 200
        )


def _many(n):
    product = make_product()
    for _ in range(n):
        customer = make_customer()
        site = make_site(customer)
        make_contact(customer, site=site)
        make_unit(site, product)


@pytest.mark.parametrize(
    "url_name",
    [
        "customers:customer_list",
        "customers:site_list",
        "customers:contact_list",
        "customers:product_list",
        "customers:unit_list",
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(url_name, operator_client):
    _many(3)
    small = _count_queries(operator_client, url_name)
    assert small <= 5  # session, user, count, page (+ the product filter's choices)
    _many(20)
    assert _count_queries(operator_client, url_name) == small


def _count_queries(client, url_name, args=()):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(url_name, args=args)).status_code == 200
    return len(ctx.captured_queries)


def test_detail_pages_run_a_fixed_number_of_queries(operator_client):
    customer = make_customer()
    site = make_site(customer)
    make_contact(customer, site=site)
    make_unit(site)
    counts_small = {
        name: _count_queries(operator_client, name, [pk])
        for name, pk in [
            ("customers:customer_detail", customer.pk),
            ("customers:site_detail", site.pk),
        ]
    }
    for _ in range(15):
        other_site = make_site(customer)
        make_contact(customer, site=other_site)
        make_unit(other_site)
        make_unit(site)
    for name, pk in [
        ("customers:customer_detail", customer.pk),
        ("customers:site_detail", site.pk),
    ]:
        assert _count_queries(operator_client, name, [pk]) == counts_small[name], name
    assert Product.objects.count() > 15
    # The customer, its sites, contacts and first units; the site with its contacts, its first
    # units (the session and the user besides).
    assert counts_small == {"customers:customer_detail": 6, "customers:site_detail": 5}


def test_the_detail_pages_show_their_first_units_and_count_them_all(operator_client):
    """The customer and site pages show the first UNITS_ON_DETAIL units (the customer's in
    serial-number order) and count them all; the count is a query of its own only when the
    table is cut."""
    customer = make_customer()
    site = make_site(customer)
    product = make_product()
    for n in range(UNITS_ON_DETAIL):
        make_unit(site, product, serial_number=f"SN-{n:03d}")
    pages = [("customers:customer_detail", customer.pk), ("customers:site_detail", site.pk)]
    whole = {}
    for name, pk in pages:
        response = operator_client.get(reverse(name, args=[pk]))
        assert response.context["unit_count"] == UNITS_ON_DETAIL
        assert len(response.context["units"]) == UNITS_ON_DETAIL
        assert not response.context["units_truncated"]
        assert "See all units" not in response.content.decode()
        whole[name] = _count_queries(operator_client, name, [pk])
    make_unit(site, product, serial_number="SN-999")
    for name, pk in pages:
        response = operator_client.get(reverse(name, args=[pk]))
        assert response.context["unit_count"] == UNITS_ON_DETAIL + 1
        shown = [unit.serial_number for unit in response.context["units"]]
        assert shown == [f"SN-{n:03d}" for n in range(UNITS_ON_DETAIL)]
        assert response.context["units_truncated"]
        assert f"{UNITS_ON_DETAIL + 1} units" in response.content.decode()
        assert "See all units" in response.content.decode()
        assert _count_queries(operator_client, name, [pk]) == whole[name] + 1


def test_the_customer_page_links_its_billing_customer(operator_client):
    payer = make_customer(name="Holding <Rossi> & C.")
    branch = make_customer(billing_customer=payer)
    html = operator_client.get(reverse("customers:customer_detail", args=[branch.pk])).content
    assert (
        f'<a href="/customers/{payer.pk}/" data-testid="billing-customer">'
        "Holding &lt;Rossi&gt; &amp; C.</a>"
    ) in html.decode()
    html = operator_client.get(reverse("customers:customer_detail", args=[payer.pk])).content
    assert b"billing-customer" not in html


def test_the_unit_page_shows_its_product_customer_and_site(operator_client):
    customer = make_customer(name="Rossi <& Figli>")
    site = make_site(customer, name="Plant 2", address="Via Po 1")
    unit = make_unit(site, make_product(code="CMP-9", description="Compressor"))
    with CaptureQueriesContext(connection) as ctx:
        response = operator_client.get(reverse("customers:unit_detail", args=[unit.pk]))
    html = response.content.decode()
    assert f'<a href="/customers/{customer.pk}/">Rossi &lt;&amp; Figli&gt;</a>' in html
    assert f'<a href="/customers/sites/{site.pk}/">Plant 2</a>' in html
    assert "CMP-9 – Compressor" in html
    assert len(ctx.captured_queries) == 3  # session, user, the unit with its product and site


def test_a_double_submitted_form_creates_one_customer(operator_client):
    page = operator_client.get(reverse("customers:customer_create"))
    token = page.context["form"].initial["submission_token"]
    data = {"name": "Twice S.r.l.", "country": "IT", "language": "it", "submission_token": token}
    first = operator_client.post(reverse("customers:customer_create"), data)
    second = operator_client.post(reverse("customers:customer_create"), data, follow=True)
    customer = Customer.objects.get(name="Twice S.r.l.")
    assert first["Location"] == customer.get_absolute_url()
    assert second.redirect_chain[0][0] == customer.get_absolute_url()
    assert "nothing was created twice" in second.content.decode()
    # A new form (new token) creates a new record, as the user expects.
    fresh = operator_client.get(reverse("customers:customer_create")).context["form"]
    data["submission_token"] = fresh.initial["submission_token"]
    operator_client.post(reverse("customers:customer_create"), data)
    assert Customer.objects.filter(name="Twice S.r.l.").count() == 2


def test_a_refused_form_does_not_use_up_its_token(operator_client):
    token = (
        operator_client.get(reverse("customers:customer_create"))
        .context["form"]
        .initial["submission_token"]
    )
    data = {"name": "", "country": "IT", "language": "it", "submission_token": token}
    assert operator_client.post(reverse("customers:customer_create"), data).status_code == 200
    data["name"] = "Fixed S.r.l."
    response = operator_client.post(reverse("customers:customer_create"), data)
    assert response.status_code == 302
    assert Customer.objects.filter(name="Fixed S.r.l.").exists()


def test_the_unit_search_runs_a_fixed_number_of_queries(operator_client):
    url = reverse("customers:unit_list")
    _many(3)
    with CaptureQueriesContext(connection) as ctx:
        assert operator_client.get(url, {"q": "prd"}).status_code == 200
    # session, user, matching products, matching customers' sites, count, page, product choices
    assert len(ctx.captured_queries) == 7
    _many(20)
    with CaptureQueriesContext(connection) as ctx:
        assert operator_client.get(url, {"q": "prd"}).status_code == 200
    assert len(ctx.captured_queries) == 7
