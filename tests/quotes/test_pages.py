"""The price-list and quote pages as the office staff uses them."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from quotes.models import PriceList, Quote, QuoteState, Rate
from quotes.services import confirm_quote, create_quote_from_price_list
from tests.factories import make_customer
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(administrator):
    customer = make_customer(name="Officine Rossi S.p.A.", language="en")
    return create_quote_from_price_list(
        customer=customer,
        price_list=make_price_list(name="Standard 2026"),
        acting_user=administrator,
    )


def _editor_data(quote, add=None, **overrides):
    """The editor's POST as the browser sends it; overrides: {"MO": {"quantity": "2"}}."""
    data = {
        "lines-TOTAL_FORMS": quote.lines.count(),
        "lines-INITIAL_FORMS": quote.lines.count(),
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 1000,
        "version": quote.version,
        "vat_rate": str(quote.vat_rate),
        "notes": quote.notes,
        "add-kind": "other",
    }
    for index, line in enumerate(quote.lines.all()):
        values = {
            "id": line.pk,
            "quantity": str(line.quantity),
            "unit_price": str(line.unit_price),
            "discount": str(line.discount),
            **overrides.get(line.code, {}),
        }
        for key, value in values.items():
            if value is not None:
                data[f"lines-{index}-{key}"] = value
    for key, value in (add or {}).items():
        data[f"add-{key}"] = value
    return data


def _post(client, quote, **kwargs):
    return client.post(
        reverse("quotes:quote_detail", args=[quote.pk]), _editor_data(quote, **kwargs)
    )


# --- quote editor ----------------------------------------------------------------------------
def test_operator_changes_a_quantity_adds_a_rate_and_removes_a_line(operator_client, quote):
    travel = Rate.objects.get(price_list=quote.price_list, code="VI")
    response = _post(
        operator_client,
        quote,
        add={"rate": travel.pk, "quantity": "2"},
        MO={"quantity": "3.5"},
        DC={"DELETE": "on"},
    )
    assert response.status_code == 302
    lines = sorted((ln.code, ln.quantity) for ln in quote.lines.all())
    assert lines == [("KM", D("1")), ("MO", D("3.5")), ("VI", D("1")), ("VI", D("2"))]
    page = operator_client.get(quote.get_absolute_url()).content.decode()
    # 192.50 + 40 + 0.55 + 80 = 313.05; VAT 68.871 -> 68.87; total 381.92
    assert "€313.05" in page and "€68.87" in page and "€381.92" in page


def test_totals_are_recomputed_without_saving(operator_client, quote):
    travel = Rate.objects.get(price_list=quote.price_list, code="VI")
    data = _editor_data(
        quote, add={"rate": travel.pk, "quantity": "1"}, MO={"quantity": "2"}, DC={"DELETE": "on"}
    )
    response = operator_client.post(reverse("quotes:quote_totals", args=[quote.pk]), data)
    body = response.content.decode()
    # 110 + 40 + 0.55 + 40 = 190.55; VAT 41.921 -> 41.92; total 232.47
    assert "€190.55" in body and "€41.92" in body and "€232.47" in body
    assert 'id="net-lines-0" hx-swap-oob="true">€110.00<' in body
    assert 'id="net-lines-3" hx-swap-oob="true">—<' in body
    assert quote.lines.get(code="MO").quantity == D("1.00")
    # A row that is not valid yet counts as it was saved.
    data["lines-0-quantity"] = "abc"
    body = operator_client.post(reverse("quotes:quote_totals", args=[quote.pk]), data).content
    assert "€135.55" in body.decode()


def test_an_operator_cannot_change_prices_even_by_forging_the_form(operator_client, quote):
    response = _post(
        operator_client, quote, MO={"unit_price": "1.00", "discount": "50"}, add={"kind": "other"}
    )
    assert response.status_code == 302  # the disabled fields keep their values
    line = quote.lines.get(code="MO")
    assert (line.unit_price, line.discount) == (D("55.00"), D("0.00"))
    page = operator_client.get(quote.get_absolute_url()).content.decode()
    assert "only be changed by an administrator" in page


def test_administrator_changes_price_discount_vat_and_adds_a_free_line(admin_client_, quote):
    data = _editor_data(
        quote,
        MO={"unit_price": "60.00", "discount": "10"},
        add={
            "description": "Crane hire",
            "code": "GRU",
            "unit": "day",
            "quantity": "1",
            "unit_price": "350",
            "kind": "fixed_price",
        },
    )
    data["vat_rate"] = "10"
    response = admin_client_.post(reverse("quotes:quote_detail", args=[quote.pk]), data)
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.vat_rate == D("10.00")
    assert quote.lines.get(code="MO").net == D("54.00")
    assert quote.lines.get(code="GRU").kind == "fixed_price"
    # 54 + 40 + 0.55 + 80 + 350 = 524.55; VAT 52.455 -> 52.46
    assert quote.totals().total == D("577.01")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-2", "MO: the quantity must be greater than zero."),
        ("0", "MO: the quantity must be greater than zero."),
        ("100000", "MO: the quantity 100000 is too large (at most 9999.99)."),
    ],
)
def test_bad_quantities_are_refused_with_a_clear_message(operator_client, quote, quantity, message):
    response = _post(operator_client, quote, MO={"quantity": quantity})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert quote.lines.get(code="MO").quantity == D("1.00")


def test_a_quantity_that_is_not_a_number_is_refused(operator_client, quote):
    response = _post(operator_client, quote, MO={"quantity": "lots"})
    assert response.status_code == 200
    assert "Enter a number." in response.content.decode()


def test_an_italian_user_reads_the_errors_in_italian(client_for, operator, quote):
    operator.language = "it"
    operator.save()
    response = _post(client_for(operator), quote, MO={"quantity": "-2"})
    body = response.content.decode()
    assert "MO: la quantità deve essere maggiore di zero." in body
    # "Unit" here is a unit of measure, not a machine (matricola) as in the customers app.
    assert "Unità di misura" in body and "Matricola" not in body
    assert "Sconto (%)" in body


def test_a_stale_editor_does_not_overwrite_a_newer_save(operator_client, quote):
    stale = _editor_data(quote, MO={"quantity": "9"})
    _post(operator_client, quote, MO={"quantity": "2"})
    response = operator_client.post(reverse("quotes:quote_detail", args=[quote.pk]), stale)
    assert "Someone else changed this quote" in response.content.decode()
    assert quote.lines.get(code="MO").quantity == D("2.00")


def test_a_confirmed_quote_is_read_only_and_can_be_revised(operator_client, operator, quote):
    response = operator_client.post(reverse("quotes:quote_confirm", args=[quote.pk]))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.state == QuoteState.CONFIRMED
    response = _post(operator_client, quote, MO={"quantity": "7"})
    assert response.status_code == 302
    assert quote.lines.get(code="MO").quantity == D("1.00")
    page = operator_client.get(quote.get_absolute_url()).content.decode()
    assert "is confirmed and can no longer be changed" in page
    page = operator_client.get(quote.get_absolute_url()).content.decode()
    assert 'data-testid="quote-editor"' not in page and "Revise" in page

    response = operator_client.post(reverse("quotes:quote_revise", args=[quote.pk]))
    new = Quote.objects.get(replaces=quote)
    assert response["Location"] == new.get_absolute_url()
    assert new.state == QuoteState.DRAFT


def test_new_quote_from_a_customer_search(operator_client):
    customer = make_customer(name="Carpenteria Ferri S.r.l.", language="it")
    own = make_price_list(name="Ferri 2026", customer=customer)
    make_price_list(name="Standard 2026")
    url = reverse("quotes:quote_create")
    assert "Carpenteria Ferri" in operator_client.get(url, {"q": "ferri"}).content.decode()
    page = operator_client.get(url, {"customer": customer.pk}).content.decode()
    assert page.index("Ferri 2026") < page.index("Standard 2026")
    response = operator_client.post(
        f"{url}?customer={customer.pk}",
        {"price_list": own.pk, "submission_token": str(uuid.uuid4())},
    )
    quote = Quote.objects.get()
    assert response["Location"] == quote.get_absolute_url()
    assert quote.lines.get(code="MO").description == "Manodopera tecnico"


def test_another_customers_list_cannot_be_posted(operator_client):
    customer = make_customer()
    make_price_list(name="Standard")
    foreign = make_price_list(customer=make_customer())
    url = f"{reverse('quotes:quote_create')}?customer={customer.pk}"
    response = operator_client.post(
        url, {"price_list": foreign.pk, "submission_token": str(uuid.uuid4())}
    )
    assert response.status_code == 200
    assert not Quote.objects.exists()


def test_the_warranty_list_comes_first_for_a_unit_under_warranty(operator_client):
    customer = make_customer()
    make_price_list(name="Standard 2026")
    make_price_list(name="Warranty", is_warranty=True, rates=[])
    url = reverse("quotes:quote_create")
    page = operator_client.get(url, {"customer": customer.pk, "warranty": "1"}).content.decode()
    assert page.index("Warranty (warranty)") < page.index("Standard 2026")
    page = operator_client.get(url, {"customer": customer.pk}).content.decode()
    assert "Warranty (warranty)" not in page


# --- PDF -----------------------------------------------------------------------------------
def test_the_pdf_is_in_the_customer_language(operator_client, administrator):
    customer = make_customer(name="Officine Bianchi S.p.A.", language="it", vat_number="")
    quote = create_quote_from_price_list(
        customer=customer,
        price_list=make_price_list(name="Listino 2026"),
        acting_user=administrator,
    )
    confirm_quote(quote=quote, acting_user=administrator)
    response = operator_client.get(reverse("quotes:quote_pdf", args=[quote.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f"quote-{quote.code}.pdf" in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in (
        f"Preventivo {quote.code}",
        "Officine Bianchi S.p.A.",
        "Listino 2026",
        "Manodopera tecnico",
        "Diritto di chiamata",
        "Imponibile",
        "175,55\xa0€",
        "IVA 22%",
        "38,62\xa0€",
        "Totale",
        "214,17\xa0€",
    ):
        assert expected in text, expected


def test_the_pdf_of_an_english_customer_is_in_english(client_for, operator, quote):
    operator.language = "it"
    operator.save()
    response = client_for(operator).get(reverse("quotes:quote_pdf", args=[quote.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Taxable amount" in text and "Technician labour" in text and "€214.17" in text


# --- price lists -----------------------------------------------------------------------------
def _rate_rows(rows):
    data = {
        "rates-TOTAL_FORMS": len(rows),
        "rates-INITIAL_FORMS": 0,
        "rates-MIN_NUM_FORMS": 0,
        "rates-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"rates-{index}-{key}"] = value
    return data


def test_operator_creates_a_price_list_with_rates(operator_client):
    customer = make_customer(name="Carpenteria Ferri S.r.l.")
    url = reverse("quotes:pricelist_create")
    found = operator_client.get(url, {"q": "ferri"}).content.decode()
    assert f'href="?customer={customer.pk}"' in found
    response = operator_client.post(
        f"{url}?customer={customer.pk}",
        {
            "name": "Listino Ferri 2026",
            "submission_token": str(uuid.uuid4()),
            "customer": customer.pk,
            "valid_from": "2026-01-01",
            "currency": "eur",
            "active": "on",
            **_rate_rows(
                [
                    {
                        "code": "MO",
                        "description_it": "Manodopera",
                        "description_en": "Labour",
                        "kind": "labour_hour",
                        "unit": "h",
                        "price": "52.00",
                        "position": "1",
                    },
                    {
                        "code": "",
                        "description_it": "",
                        "kind": "",
                        "unit": "",
                        "price": "",
                        "position": "0",
                    },
                ]
            ),
        },
    )
    price_list = PriceList.objects.get(name="Listino Ferri 2026")
    assert response["Location"] == price_list.get_absolute_url()
    assert price_list.currency == "EUR" and price_list.customer == customer
    rate = price_list.rates.get()
    assert (rate.code, rate.description_en, rate.price) == ("MO", "Labour", D("52.00"))
    page = operator_client.get(price_list.get_absolute_url()).content.decode()
    assert "Labour" in page and "52.00" in page


def test_a_duplicate_rate_code_or_negative_price_is_refused(operator_client):
    rows = [
        {"code": "MO", "description_it": "A", "kind": "labour_hour", "unit": "h", "price": "1"},
        {"code": "MO", "description_it": "B", "kind": "labour_hour", "unit": "h", "price": "-1"},
    ]
    response = operator_client.post(
        reverse("quotes:pricelist_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "X",
            "valid_from": "2026-01-01",
            "currency": "EUR",
            **_rate_rows(rows),
        },
    )
    assert response.status_code == 200
    assert not PriceList.objects.exists()


def test_editing_a_price_list_does_not_alter_existing_quotes(operator_client, quote):
    price_list = quote.price_list
    rate = price_list.rates.get(code="MO")
    edit = reverse("quotes:pricelist_update", args=[price_list.pk])
    form = operator_client.get(edit).context["form"]
    rows = [
        {
            "id": r.pk,
            "code": r.code,
            "description_it": r.description_it,
            "kind": r.kind,
            "unit": r.unit,
            "price": "99.00" if r.pk == rate.pk else str(r.price),
            "position": r.position,
        }
        for r in price_list.rates.all()
    ]
    data = {
        "name": "Standard 2026 (rev)",
        "valid_from": "2026-01-01",
        "currency": "EUR",
        "active": "on",
        "version": form.initial["version"],
        **_rate_rows(rows),
        "rates-INITIAL_FORMS": len(rows),
    }
    response = operator_client.post(edit, data)
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.price == D("99.00")
    line = quote.lines.get(code="MO")
    assert line.unit_price == D("55.00")
    quote.refresh_from_db()
    assert quote.price_list_name == "Standard 2026"


def test_copy_a_price_list_for_next_year(operator_client):
    source = make_price_list(name="Standard 2026")
    response = operator_client.post(
        reverse("quotes:pricelist_copy", args=[source.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Standard 2027",
            "valid_from": "2027-01-01",
            "percent_increase": "5",
        },
    )
    copy = PriceList.objects.get(name="Standard 2027")
    assert response["Location"] == copy.get_absolute_url()
    assert copy.valid_from == datetime.date(2027, 1, 1)
    assert copy.rates.get(code="MO").price == D("57.75")


def test_copy_errors_are_shown(operator_client):
    source = make_price_list()
    response = operator_client.post(
        reverse("quotes:pricelist_copy", args=[source.pk]),
        {
            "submission_token": str(uuid.uuid4()),
            "name": "Bad",
            "valid_from": "2027-01-01",
            "valid_to": "2026-01-01",
            "percent_increase": "5",
        },
    )
    assert "The end of validity cannot precede its start." in response.content.decode()


def test_price_list_search(operator_client):
    customer = make_customer(name="Northern Fabrication Ltd")
    make_price_list(name="Northern 2026", customer=customer, rates=[])
    make_price_list(name="Standard 2026", rates=[])
    make_price_list(name="Warranty", is_warranty=True, rates=[])
    url = reverse("quotes:pricelist_list")
    page = operator_client.get(url, {"q": "northern"}).content.decode()
    assert "Northern 2026" in page and "Standard 2026" not in page
    page = operator_client.get(url, {"kind": "warranty"}).content.decode()
    assert "Warranty" in page and "Standard 2026" not in page
    page = operator_client.get(url, {"kind": "standard"}).content.decode()
    assert "Standard 2026" in page and "Northern 2026" not in page


# --- fixed query counts --------------------------------------------------------------------
def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_run_a_fixed_number_of_queries(operator_client, administrator):
    def add(n):
        for _ in range(n):
            customer = make_customer()
            price_list = make_price_list(customer=customer)
            create_quote_from_price_list(
                customer=customer, price_list=price_list, acting_user=administrator
            )

    add(1)
    urls = [reverse("quotes:quote_list"), reverse("quotes:pricelist_list")]
    small = {url: _count(operator_client, url) for url in urls}
    add(15)
    for url in urls:
        assert _count(operator_client, url) == small[url], url
        assert small[url] <= 7, url


def test_detail_pages_run_a_fixed_number_of_queries(operator_client, administrator):
    rates = [(f"R{i}", "other", "pcs", "1.00", f"Voce {i}", f"Item {i}") for i in range(3)]
    many_rates = [(f"R{i}", "other", "pcs", "1.00", f"Voce {i}", f"Item {i}") for i in range(40)]
    customer = make_customer()
    counts = []
    for rate_rows in (rates, many_rates):
        price_list = make_price_list(rates=rate_rows)
        quote = create_quote_from_price_list(
            customer=customer, price_list=price_list, acting_user=administrator
        )
        counts.append(
            (
                _count(operator_client, reverse("quotes:quote_detail", args=[quote.pk])),
                _count(operator_client, reverse("quotes:pricelist_detail", args=[price_list.pk])),
                _count(operator_client, reverse("quotes:pricelist_update", args=[price_list.pk])),
            )
        )
    assert counts[0] == counts[1]
    assert counts[0][0] <= 9


def test_the_summary_partial_for_other_pages(
    quote, django_assert_num_queries, operator, technician
):
    office = operator
    from django.template.loader import render_to_string

    quote = Quote.objects.prefetch_related("lines").get(pk=quote.pk)
    with django_assert_num_queries(0):
        html = render_to_string("quotes/quote_summary.html", {"quote": quote, "user": office})
        for_technician = render_to_string(
            "quotes/quote_summary.html", {"quote": quote, "user": technician}
        )
    assert quote.code in html and "Technician labour" in html and "€214.17" in html
    assert reverse("quotes:quote_pdf", args=[quote.pk]) in html
    # A technician reads the summary; the quote's pages (403 to them) are not offered.
    assert quote.code in for_technician and "€214.17" in for_technician
    assert reverse("quotes:quote_pdf", args=[quote.pk]) not in for_technician
    assert quote.get_absolute_url() not in for_technician


def test_a_double_submit_creates_one_record(operator_client):
    import uuid

    customer = make_customer()
    source = make_price_list(name="Standard 2026")
    posts = [
        (
            f"{reverse('quotes:quote_create')}?customer={customer.pk}",
            {"price_list": source.pk},
        ),
        (
            reverse("quotes:pricelist_copy", args=[source.pk]),
            {
                "submission_token": str(uuid.uuid4()),
                "name": "Standard 2027",
                "valid_from": "2027-01-01",
                "percent_increase": "2",
            },
        ),
        (
            reverse("quotes:pricelist_create"),
            {
                "submission_token": str(uuid.uuid4()),
                "name": "New",
                "valid_from": "2026-01-01",
                "currency": "EUR",
                **_rate_rows([]),
            },
        ),
    ]
    for url, data in posts:
        data["submission_token"] = str(uuid.uuid4())
        first = operator_client.post(url, data)
        second = operator_client.post(url, data)
        assert first.status_code == second.status_code == 302, url
        assert first["Location"] == second["Location"], url
    assert Quote.objects.count() == 1
    assert PriceList.objects.filter(name="Standard 2027").count() == 1
    assert PriceList.objects.filter(name="New").count() == 1


@pytest.mark.parametrize(
    ("language", "taxable", "total", "labour_rate"),
    [
        ("it", "1.220,55\xa0€", "1.489,07\xa0€", "55,00\xa0€"),
        ("en", "€1,220.55", "€1,489.07", "€55.00"),
    ],
)
def test_amounts_on_screen_are_written_as_the_reader_language_writes_them(
    client_for, operator, quote, language, taxable, total, labour_rate
):
    operator.language = language
    operator.save(update_fields=["language"])
    quote.lines.filter(code="MO").update(quantity=D("20"))  # 1,100 + 40 + 0.55 + 80
    client = client_for(operator)

    editor = client.get(quote.get_absolute_url()).content.decode()
    listing = client.get(reverse("quotes:quote_list")).content.decode()
    price_list = client.get(reverse("quotes:pricelist_detail", args=[quote.price_list_id]))

    assert taxable in editor and total in editor
    assert taxable in listing  # the list shows the taxable amount
    assert labour_rate in price_list.content.decode()
    assert "1220.55 EUR" not in editor and "1220,55 EUR" not in editor  # the old raw style
