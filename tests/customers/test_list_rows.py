"""The customer, unit and contact lists read their rows as plain values (customers/list_rows.py):
every row must be the very HTML the model instances gave, in every language (the product's
description is translated, with modeltranslation's fallbacks), on the first page and on the
pages their Next links reach, with the same number of queries.

The reference is the rows' markup as the templates had it before, kept here and rendered with
the model instances of the same page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from customers.models import Customer, Product, Unit, warranty_covers
from service_portal.i18n import translated_value
from tests.factories import make_contact, make_customer, make_product, make_site, make_unit

pytestmark = pytest.mark.django_db

UNIT_ROWS = Template(
    """{% load i18n unit_badges %}{% translate "Serial number" as serial_number_column %}{% translate "Product" as product_column %}{% translate "Customer" as customer_column %}{% translate "Site" as site_column %}{% translate "Warranty" as warranty_column %}
  {% for unit in units %}
    <tr>
      <td data-label="{{ serial_number_column }}"><a href="{{ unit.get_absolute_url }}">{{ unit.serial_number }}</a></td>
      <td data-label="{{ product_column }}">{{ unit.product.code }} <span class="text-body-secondary small">{{ unit.product.description }}</span></td>
      <td data-label="{{ customer_column }}"><a href="{{ unit.site.customer.get_absolute_url }}">{{ unit.site.customer.name }}</a></td>
      <td data-label="{{ site_column }}">{{ unit.site.name }}</td>
      <td data-label="{{ warranty_column }}">{% warranty_badge unit %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501 (the templates' lines as they were)
)

CONTACT_ROWS = Template(
    """{% load i18n %}{% translate "Name" as name_column %}{% translate "Customer" as customer_column %}{% translate "Site" as site_column %}{% translate "Phone" as phone_column %}{% translate "E-mail" as email_column %}
  {% for contact in contacts %}
    <tr>
      <td data-label="{{ name_column }}"><a href="{{ contact.get_absolute_url }}">{{ contact.name }}</a>{% if contact.role %} <span class="text-body-secondary small">{{ contact.role }}</span>{% endif %}</td>
      <td data-label="{{ customer_column }}"><a href="{{ contact.customer.get_absolute_url }}">{{ contact.customer.name }}</a></td>
      <td data-label="{{ site_column }}">{{ contact.site.name|default:"" }}</td>
      <td data-label="{{ phone_column }}">{% if contact.phone %}<a href="{{ contact.phone_uri }}">{{ contact.phone }}</a>{% endif %}</td>
      <td data-label="{{ email_column }}">{% if contact.email %}<a href="mailto:{{ contact.email }}">{{ contact.email }}</a>{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501 (the templates' lines as they were)
)

CUSTOMER_ROWS = Template(
    """{% load i18n %}{% translate "Company name" as label_name %}{% translate "VAT number" as label_vat %}{% translate "City" as label_city %}{% translate "Country" as label_country %}{% translate "Language" as label_language %}
  {% for customer in customers %}
    <tr>
      <td data-label="{{ label_name }}"><a href="{{ customer.get_absolute_url }}">{{ customer.name }}</a>{% if not customer.is_active %} <span class="badge text-bg-secondary">{% translate "inactive" %}</span>{% endif %}</td>
      <td data-label="{{ label_vat }}">{{ customer.vat_number }}</td>
      <td data-label="{{ label_city }}">{{ customer.city }}</td>
      <td data-label="{{ label_country }}">{{ customer.get_country_display }}</td>
      <td data-label="{{ label_language }}">{{ customer.get_language_display }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501 (the templates' lines as they were)
)

ROW = re.compile(r"<tr>.*?</tr>", re.DOTALL)
LANGUAGES = ("it", "en", "de", "fr")


def _page_rows(response) -> list[str]:
    assert response.status_code == 200
    html = response.content.decode()
    body = html[html.index("<tbody") : html.index("</tbody>")]
    return ROW.findall(body)


def _reference_rows(template: Template, name: str, records, language: str) -> list[str]:
    with translation.override(language):
        return ROW.findall(template.render(Context({name: records})))


def _next_link(response) -> str:
    links = re.findall(r'href="(\?[^"]*after=[^"]*)"', response.content.decode())
    assert links, "no Next link"
    return links[-1].replace("&amp;", "&")


def _rows_as_instances_showed(client, user, url, query, template, name, language, related=()):
    """The list's page in ``language`` shows the rows ``template`` gave with the model
    instances; and so does the next page (read by key) when there is one. Returns the page's
    rows and the records the filter holds."""
    user.language = language
    user.save(update_fields=["language"])
    response = client.get(url + query)
    shown = _page_rows(response)
    records = response.context["filter"].qs
    records = list(records.select_related(*related) if related else records)
    assert shown == _reference_rows(template, name, records[:25], language)
    if len(records) > 25:
        following = client.get(url + _next_link(response))
        assert _page_rows(following) == _reference_rows(template, name, records[25:50], language)
    return shown, records


def _product(code: str, **texts: str) -> Product:
    """A product with exactly these descriptions (the others empty)."""
    product = make_product(code=code)
    Product.objects.filter(pk=product.pk).update(
        **{f"description_{code}": texts.get(code, "") for code in (*LANGUAGES, "es")}
    )
    return Product.objects.get(pk=product.pk)


@pytest.fixture
def units():
    """30 units (two pages): products translated in full, in part (the other languages fall
    back to Italian), in English only (Italian empty: the fallback goes on to English); every
    warranty state; names that need escaping."""
    full = _product("CMP-1", it="Compressore", en="Compressor", de="Kompressor", fr="Compresseur")
    partial = _product("DRY-2", it="Essiccatore", en="Dryer")
    english = _product("LAS-3", en="Laser <cutter>")
    customer = make_customer(name="Rossi & Figli <S.r.l.>")
    sites = [make_site(customer, name='Plant "A"'), make_site(make_customer(), name="Head")]
    today = timezone.localdate()
    ends = [None, today, today - datetime.timedelta(days=1), today + datetime.timedelta(days=400)]
    products = [full, partial, english]
    for n in range(30):
        make_unit(
            sites[n % 2],
            products[n % 3],
            serial_number=f"SN-{n:03d}",
            installation_date=None,
            warranty_end=ends[n % 4],
        )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("query", ["", "?warranty=in", "?q=SN-01", "?q=las"])
def test_unit_rows_are_the_model_instances_rows(units, operator, operator_client, query, language):
    shown, _records = _rows_as_instances_showed(
        operator_client,
        operator,
        "/customers/units/",
        query,
        UNIT_ROWS,
        "units",
        language,
        related=("product", "site__customer"),
    )
    assert shown, "the filter should match some units"


@pytest.fixture
def customers():
    """30 customers (two pages): active and not, every language, several countries, a country
    code outside the choices, names that need escaping."""
    countries = ["IT", "DE", "FR", "CH", "XX"]
    languages = ["it", "en", "de", "fr", "es"]
    for n in range(30):
        customer = make_customer(
            name=f"Cliente {n:02d}" + (" & <Figli>" if n % 6 == 0 else ""),
            city="Milano" if n % 2 else "",
            language=languages[n % 5],
            is_active=bool(n % 4),
        )
        Customer.objects.filter(pk=customer.pk).update(country=countries[n % 5])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("query", ["", "?q=cliente", "?active=0"])
def test_customer_rows_are_the_model_instances_rows(
    customers, operator, operator_client, query, language
):
    shown, _records = _rows_as_instances_showed(
        operator_client, operator, "/customers/", query, CUSTOMER_ROWS, "customers", language
    )
    assert shown, "the filter should match some customers"


@pytest.fixture
def contacts():
    """30 contacts matching "referente": with and without role, site, phone, e-mail."""
    customer = make_customer(name="Bianchi & C. <S.p.A.>")
    site = make_site(customer, name="Magazzino <2>")
    for n in range(30):
        make_contact(
            customer if n % 3 else make_customer(),
            site=site if n % 2 else None,
            name=f"Referente {n:02d}" + (" & Co" if n % 5 == 0 else ""),
            role="Acquisti <ufficio>" if n % 4 else "",
            phone="+39 02 1234567" if n % 3 else "",
            email=f"r{n}@example.com" if n % 7 else "",
        )
    make_contact(name="Someone else")


@pytest.mark.parametrize("language", ("it", "en"))
@pytest.mark.parametrize("query", ["?q=referente", ""])
def test_contact_rows_are_the_model_instances_rows(
    contacts, operator, operator_client, query, language
):
    _shown, records = _rows_as_instances_showed(
        operator_client,
        operator,
        "/customers/contacts/",
        query,
        CONTACT_ROWS,
        "contacts",
        language,
        related=("customer", "site"),
    )
    assert len(records) > 25  # the next page was compared too


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # session, user, the count, the page (units with product, site and customer), the
        # filter's active products
        ("/customers/units/", 5),
        ("/customers/units/?warranty=in", 5),
        # and the matching products and the matching customers' sites
        ("/customers/units/?q=SN", 7),
        # session, user, the count, the page (contacts with customer and site)
        ("/customers/contacts/?q=referente", 4),
        # session, user, the count, the page
        ("/customers/", 4),
        ("/customers/?q=cliente", 4),
    ],
)
def test_the_lists_run_the_same_queries_with_more_rows(
    units, contacts, customers, operator_client, url, queries
):
    for _grow in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert operator_client.get(url).status_code == 200
        assert len(ctx.captured_queries) == queries
        for n in range(30):
            make_unit(serial_number=f"SN-X{n}")
            make_contact(name=f"Referente X{n}")
            make_customer(name=f"Cliente X{n}")


def test_one_warranty_rule_for_the_model_and_the_rows():
    today = datetime.date(2026, 12, 7)
    for end in (
        None,
        today,
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=1),
    ):
        assert Unit(warranty_end=end).under_warranty(today) is warranty_covers(end, today)


def test_a_translated_value_is_what_the_model_shows():
    product = _product("PRS-1", it="Pressa", en="Press")
    values = {f"description_{code}": getattr(product, f"description_{code}") for code in LANGUAGES}
    values["description_es"] = product.description_es
    for language in (*LANGUAGES, "es"):
        with translation.override(language):
            assert translated_value(Product, "description", values) == product.description
    only_english = _product("PRS-2", en="Press")
    values = {
        f"description_{code}": getattr(only_english, f"description_{code}")
        for code in (*LANGUAGES, "es")
    }
    with translation.override("de"):
        assert (
            translated_value(Product, "description", values) == "Press" == only_english.description
        )
