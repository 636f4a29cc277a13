"""Reading and upserting the installed base through the API."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer, Site, Unit
from tests.factories import make_contact, make_customer, make_product, make_site, make_unit

pytestmark = pytest.mark.django_db

VALID_IT_VAT = "IT00743110157"


def test_upsert_creates_then_updates_then_changes_nothing(api):
    url = "/api/v1/customers/by-code/ERP-001/"
    body = {"name": "Acme S.r.l.", "vat_number": "00743110157", "country": "IT", "city": "Roma"}
    first = api.put(url, body, format="json")
    assert first.status_code == 201, first.json()
    assert first["X-Upsert-Action"] == "created"
    assert first.json()["vat_number"] == VALID_IT_VAT
    customer = Customer.objects.get(external_code="ERP-001")
    stamp = customer.updated_at

    again = api.put(url, body, format="json")
    assert again.status_code == 200
    assert again["X-Upsert-Action"] == "unchanged"
    assert Customer.objects.filter(external_code="ERP-001").count() == 1
    customer.refresh_from_db()
    assert customer.updated_at == stamp  # no phantom change for incremental sync

    changed = api.put(url, {"city": "Milano"}, format="json")
    assert changed.status_code == 200
    assert changed["X-Upsert-Action"] == "updated"
    customer.refresh_from_db()
    assert (customer.city, customer.name) == ("Milano", "Acme S.r.l.")
    assert api.get(url).json()["id"] == customer.pk


def test_site_and_unit_upserts_refer_to_records_by_code(api):
    make_customer(external_code="C1")
    make_product(code="PX-200")
    site = api.put(
        "/api/v1/sites/by-code/S1/", {"customer_code": "C1", "name": "Plant 1"}, format="json"
    )
    assert site.status_code == 201, site.json()
    assert site.json()["customer_code"] == "C1"
    body = {
        "site_code": "S1",
        "product_code": "PX-200",
        "serial_number": "SN-1",
        "installation_date": "2025-01-10",
        "warranty_end": "2027-01-10",
    }
    unit = api.put("/api/v1/units/by-code/U1/", body, format="json")
    assert unit.status_code == 201, unit.json()
    assert unit.json()["customer"] == Site.objects.get().customer_id
    assert api.put("/api/v1/units/by-code/U1/", body, format="json")["X-Upsert-Action"] == (
        "unchanged"
    )
    assert Unit.objects.count() == 1


def test_validation_errors_are_json_field_messages(api):
    response = api.put(
        "/api/v1/customers/by-code/BAD/",
        {"name": "Typo", "vat_number": "IT12345678901", "phone": "12", "country": "IT"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert "is not a valid VAT number" in errors["vat_number"][0]
    assert "phone" in errors
    assert not Customer.objects.filter(external_code="BAD").exists()


def test_validation_errors_follow_accept_language(api):
    response = api.put(
        "/api/v1/customers/by-code/BAD/",
        {"name": "Typo", "vat_number": "IT12345678901", "country": "IT"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert "non è una partita IVA valida" in response.json()["vat_number"][0]
    response = api.put(
        "/api/v1/customers/by-code/BAD/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json() == {"name": ["This field is required."]}


def test_model_rules_come_back_as_json(api):
    make_customer(external_code="C1")
    product = make_product(code="PX")
    unit = make_unit(product=product, serial_number="DUP")
    make_site(Customer.objects.get(external_code="C1"), external_code="S1")
    duplicate = api.put(
        "/api/v1/units/by-code/U2/",
        {"site_code": "S1", "product_code": "PX", "serial_number": unit.serial_number},
        format="json",
    )
    assert duplicate.status_code == 400
    assert "already exists for this product" in str(duplicate.json())
    unknown = api.put(
        "/api/v1/units/by-code/U3/",
        {"site_code": "NOPE", "product_code": "PX", "serial_number": "X"},
        format="json",
    )
    assert unknown.status_code == 400
    assert "NOPE" in unknown.json()["site_code"][0]
    warranty = api.put(
        "/api/v1/units/by-code/U4/",
        {
            "site_code": "S1",
            "product_code": "PX",
            "serial_number": "W",
            "installation_date": "2025-05-01",
            "warranty_end": "2025-01-01",
        },
        format="json",
    )
    assert warranty.status_code == 400
    assert "warranty cannot end before" in str(warranty.json())


def test_bad_codes_and_bodies_are_400_not_500(api):
    assert (
        api.put("/api/v1/customers/by-code/a%20b/", {"name": "x"}, format="json").status_code == 400
    )
    assert api.get("/api/v1/customers/?external_code=%00").status_code == 400
    assert api.get("/api/v1/customers/?updated_since=yesterday").status_code == 400
    assert api.put("/api/v1/customers/by-code/OK/", [1, 2], format="json").status_code == 400
    assert (
        api.put("/api/v1/sites/by-code/S9/", {"customer_code": 5, "name": "x"}, format="json")
    ).status_code == 400
    assert api.get("/api/v1/customers/by-code/MISSING/").status_code == 404


def test_incremental_sync_by_updated_since(api):
    old = make_customer(external_code="OLD")
    new = make_customer(external_code="NEW")
    Customer.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = api.get("/api/v1/customers/", {"updated_since": since})
    assert [c["external_code"] for c in response.json()["results"]] == ["NEW"]
    # An unencoded "+" of the time zone arrives as a space: still understood.
    raw = since.replace("+", " ")
    assert api.get(f"/api/v1/customers/?updated_since={raw}").json()["count"] == 1
    assert (
        api.get("/api/v1/customers/", {"external_code": "OLD"}).json()["results"][0]["id"] == old.pk
    )
    assert new.pk != old.pk


def test_pagination_is_stable_by_id(api):
    customers = [make_customer() for _ in range(7)]
    first = api.get("/api/v1/customers/", {"page_size": 5}).json()
    assert first["count"] == 7
    assert first["next"]
    second = api.get(first["next"]).json()
    ids = [c["id"] for c in first["results"] + second["results"]]
    assert ids == sorted(c.pk for c in customers)
    assert api.get("/api/v1/customers/", {"page": 99}).status_code == 404


def test_after_id_reads_long_lists_without_offsets(api):
    ids = sorted(make_customer().pk for _ in range(5))
    page = api.get("/api/v1/customers/", {"after_id": ids[1], "page_size": 2}).json()
    assert [c["id"] for c in page["results"]] == ids[2:4]
    for bad in ("-1", "x", str(2**64)):
        assert api.get("/api/v1/customers/", {"after_id": bad}).status_code == 400


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_rows(n: int) -> None:
    product = make_product()
    for _ in range(n):
        customer = make_customer()
        site = make_site(customer)
        make_contact(customer, site=site)
        make_unit(site, product)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/",
        "/api/v1/sites/",
        "/api/v1/contacts/",
        "/api/v1/units/",
        "/api/v1/products/",
    ],
)
def test_list_query_counts_do_not_grow_with_rows(api, url):
    _add_rows(2)
    api.get(url)  # the token's last use is recorded on the first request only
    few = _count_queries(api, url)
    _add_rows(12)
    assert _count_queries(api, url) == few
    assert few <= 5  # token, the token's rate counter, count, page (+ one relation)


def test_the_customers_fiscal_data_is_read_and_written(api):
    url = "/api/v1/customers/by-code/PA-1/"
    body = {
        "name": "Comune di Brescia",
        "fiscal_code": "00761890177",
        "country": "IT",
        "city": "Brescia",
        "vat_regime": "italian",
        "sdi_code": "uf 1a2b",
        "pec": "protocollo@pec.comune.brescia.it",
        "is_public_administration": True,
    }
    created = api.put(url, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    # The office code is normalised as the form does (spaces out, upper case).
    assert (data["sdi_code"], data["is_public_administration"]) == ("UF1A2B", True)
    assert (data["vat_regime"], data["pec"]) == ("italian", "protocollo@pec.comune.brescia.it")
    customer = Customer.objects.get(external_code="PA-1")
    assert (customer.sdi_code, customer.is_public_administration) == ("UF1A2B", True)

    german = api.put(
        "/api/v1/customers/by-code/DE-1/",
        {
            "name": "Muster GmbH",
            "country": "DE",
            "vat_regime": "eu_business",
            "sdi_code": "XXXXXXX",
        },
        format="json",
    )
    assert german.status_code == 201, german.json()
    assert api.get("/api/v1/customers/by-code/DE-1/").json()["vat_regime"] == "eu_business"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"vat_regime": "martian"}, "vat_regime", "is not a valid choice"),
        ({"vat_regime": "eu_business"}, "vat_regime", "EU country other than Italy"),
        ({"sdi_code": "ABC"}, "sdi_code", "7 letters or digits"),
        ({"sdi_code": "XXXXXXX"}, "sdi_code", "customers abroad"),
        ({"pec": "not an address"}, "pec", "valid email"),
        (
            {"country": "DE", "vat_regime": "eu_business", "is_public_administration": True},
            "is_public_administration",
            "Only an Italian customer",
        ),
        ({"is_public_administration": "perhaps"}, "is_public_administration", "valid boolean"),
    ],
)
def test_bad_fiscal_data_is_a_400_naming_the_field(api, body, field, message):
    response = api.put(
        "/api/v1/customers/by-code/BAD/",
        {"name": "Typo", "country": "IT", **body},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Customer.objects.filter(external_code="BAD").exists()


def test_bad_fiscal_data_leaves_an_existing_customer_unchanged(api):
    customer = make_customer(external_code="C1", sdi_code="ABC1234")
    response = api.put("/api/v1/customers/by-code/C1/", {"sdi_code": "AB"}, format="json")
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.sdi_code == "ABC1234"
