"""Five languages: the settings, and master data shown in the reader's language with fallbacks."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import SecretQuestion, User
from calls.models import InterventionType
from customers.models import Customer, Product
from orders.models import PaymentMethod, SparePart, VatRate
from quotes.models import Rate
from tests.factories import make_product

pytestmark = pytest.mark.django_db

FIVE = ["it", "en", "de", "fr", "es"]


def test_the_portal_speaks_five_languages_italian_first():
    assert [code for code, _name in settings.LANGUAGES] == FIVE
    assert settings.LANGUAGE_CODE == "it"


@pytest.mark.parametrize("model", [User, Customer])
def test_people_and_customers_can_choose_any_of_the_five(model):
    choices = [code for code, _name in model._meta.get_field("language").choices]
    assert choices == FIVE


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (InterventionType, "name"),
        (Rate, "description"),
        (SparePart, "description"),
        (Product, "description"),
        (PaymentMethod, "name"),
        (VatRate, "name"),
        (SecretQuestion, "text"),
    ],
)
def test_master_data_has_a_column_per_language(model, field):
    names = {f.name for f in model._meta.get_fields()}
    assert {f"{field}_{code}" for code in FIVE} <= names


def _type(**names) -> InterventionType:
    return InterventionType.objects.create(code="repair-x", name=names.get("name_it", ""), **names)


def test_a_german_reader_sees_the_german_name():
    kind = _type(name_it="Riparazione", name_en="Repair", name_de="Reparatur", name_fr="Réparation")
    with translation.override("de"):
        assert InterventionType.objects.get(pk=kind.pk).name == "Reparatur"
    with translation.override("fr"):
        assert str(InterventionType.objects.get(pk=kind.pk).name) == "Réparation"


def test_a_missing_german_name_falls_back_to_italian_then_english():
    kind = _type(name_it="Riparazione", name_en="Repair")
    with translation.override("de"):
        assert InterventionType.objects.get(pk=kind.pk).name == "Riparazione"
    only_english = InterventionType.objects.create(code="other", name_en="Inspection")
    with translation.override("es"):
        assert InterventionType.objects.get(pk=only_english.pk).name == "Inspection"


def test_the_default_secret_questions_come_in_every_language():
    question = SecretQuestion.objects.get(text_en="What was the first machine you repaired?")
    assert question.text_de == "Welche Maschine haben Sie als erste repariert?"
    assert question.text_fr and question.text_es
    with translation.override("es"):
        assert SecretQuestion.objects.get(pk=question.pk).text.startswith("¿Cuál fue")


def test_a_german_user_sees_the_product_in_german(client_for, operator):
    operator.language = "de"
    operator.save(update_fields=["language"])
    product = make_product(
        code="CMP-1",
        description_it="Compressore a vite",
        description_en="Screw compressor",
        description_de="Schraubenkompressor",
    )
    response = client_for(operator).get(reverse("customers:product_detail", args=[product.pk]))
    assert response.status_code == 200
    header = response.content.decode().split("</h1>")[0]
    assert "Schraubenkompressor" in header
    assert "Compressore a vite" not in header


def test_a_product_is_described_in_five_languages_in_the_portal(client_for, operator):
    data = {
        "code": "PRS-9",
        "submission_token": str(uuid.uuid4()),
        "description_it": "Pressa piegatrice",
        "description_en": "Press brake",
        "description_de": "Abkantpresse",
        "description_fr": "Presse plieuse",
        "description_es": "Plegadora",
        "is_active": "on",
    }
    response = client_for(operator).post(reverse("customers:product_create"), data)
    assert response.status_code == 302
    product = Product.objects.get(code="PRS-9")
    assert (product.description_de, product.description_fr, product.description_es) == (
        "Abkantpresse",
        "Presse plieuse",
        "Plegadora",
    )


def test_the_italian_description_of_a_product_is_required(client_for, operator):
    data = {"code": "PRS-10", "description_en": "Press brake", "is_active": "on"}
    data["submission_token"] = str(uuid.uuid4())
    response = client_for(operator).post(reverse("customers:product_create"), data)
    assert response.status_code == 200
    assert not Product.objects.filter(code="PRS-10").exists()


def test_the_language_switcher_offers_the_five_in_their_own_names(client):
    page = client.get(reverse("accounts:login")).content.decode()
    switcher = page.split('id="language-select"')[1].split("</select>")[0]
    for code, name in [
        ("it", "Italiano"),
        ("en", "English"),
        ("de", "Deutsch"),
        ("fr", "Français"),
        ("es", "Español"),
    ]:
        assert f'value="{code}"' in switcher and name in switcher


def test_switching_to_spanish_is_remembered_for_the_user(client_for, operator):
    client = client_for(operator)
    client.post(reverse("accounts:set_language"), {"language": "es", "next": "/"})
    operator.refresh_from_db()
    assert operator.language == "es"


def test_english_writes_dates_day_first_as_the_company_staff_expect():
    import datetime

    from django import forms
    from django.utils.formats import date_format

    day = datetime.date(2026, 11, 29)
    with translation.override("en"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "29/11/2026"
        assert date_format(day) == "29 Nov 2026"
        # Typed dates are read day first; ISO (date pickers, the API) is always understood.
        assert forms.DateField().clean("01/02/2026") == datetime.date(2026, 2, 1)
        assert forms.DateField().clean("2026-02-01") == datetime.date(2026, 2, 1)
        with pytest.raises(forms.ValidationError):
            forms.DateField().clean("11/29/2026")  # the American order is not guessed


def test_an_english_reader_filters_offers_by_a_day_first_date(client_for, operator):
    import datetime

    from django.utils import timezone

    from tests.orders.factories import make_draft

    offer = make_draft(operator)
    today = timezone.localdate()
    client = client_for(operator)  # English
    url = reverse("orders:offer_list")

    def listed(**dates):
        params = {k: v.strftime("%d/%m/%Y") for k, v in dates.items()}
        response = client.get(url, params)
        assert response.status_code == 200
        return offer.code in response.content.decode()

    assert listed(date_from=today, date_to=today)
    assert not listed(date_from=today + datetime.timedelta(days=1))
    assert today.strftime("%d/%m/%Y") in client.get(url).content.decode()  # the list's dates


@pytest.mark.parametrize("language", FIVE)
def test_date_fields_show_the_readers_format_in_every_language(language):
    """Date fields are text in the reader's format (docs/i18n.md), whatever the browser's locale:
    29/11/2026, 29.11.2026 in German; never the browser's mm/dd/yyyy."""
    import datetime

    from accounts.selectors import AuthEventFilter
    from invoicing.filters import DATE
    from quotes.forms import CopyPriceListForm

    day = datetime.date(2026, 11, 29)
    widgets = [
        DATE,
        AuthEventFilter().form.fields["date_from"].widget,
        CopyPriceListForm.base_fields["valid_from"].widget,
        CopyPriceListForm.base_fields["valid_to"].widget,
    ]
    shown = "29.11.2026" if language == "de" else "29/11/2026"
    with translation.override(language):
        for widget in widgets:
            html = widget.render("day", day)
            assert f'value="{shown}"' in html and 'type="text"' in html
