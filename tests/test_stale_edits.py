"""Every edit form carries the version of the record it showed (service_portal.locking): a form
posted without it, or with a mangled one, is refused with a form error, the typed data stays and
nothing is saved; one based on an older version is refused as "someone else changed it"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from calls.models import Call, Expense, Intervention
from customers.models import Contact, Customer, Product, Site, Unit
from orders.models import Offer, OfferLine
from planner.models import Activity, TimeEntry
from quotes.models import PriceList, Quote
from service_portal.i18n import localized_fields
from service_portal.models import Audited, TimeStamped, Versioned
from tests.calls.factories import first_intervention, make_call, make_intervention_type
from tests.factories import make_contact, make_customer, make_product, make_site, make_unit
from tests.orders.factories import make_draft, make_part
from tests.planner.factories import make_activity, make_entry, next_monday, yesterday
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db

MISSING = "does not say which version of the record it changed"
CONFLICT = "Someone else changed this"


# Each case: the client, the address, what the user typed (without the version), the version
# field's name, the version the page showed, a value the refused page must show, and a check that
# nothing was saved.
def _customer(world):
    customer = make_customer(name="Old name S.r.l.")
    data = {"name": "New name S.r.l.", "country": "IT", "language": "it", "is_active": "on"}
    url = reverse("customers:customer_update", args=[customer.pk])
    return url, data, "version", customer, "New name S.r.l."


def _site(world):
    site = make_site(name="Old plant")
    data = {"name": "New plant", "city": "Lodi", "country": "IT", "is_active": "on"}
    return reverse("customers:site_update", args=[site.pk]), data, "version", site, "New plant"


def _contact(world):
    contact = make_contact(name="Old contact")
    data = {"name": "New contact", "is_active": "on"}
    url = reverse("customers:contact_update", args=[contact.pk])
    return url, data, "version", contact, "New contact"


def _product(world):
    product = make_product(code="OLD-1")
    data = {name: "New description" for name in localized_fields("description")}
    data.update(code="OLD-1", is_active="on")
    url = reverse("customers:product_update", args=[product.pk])
    return url, data, "version", product, "New description"


def _unit(world):
    unit = make_unit(serial_number="OLD-SN")
    data = {"product": unit.product_id, "serial_number": "NEW-SN", "site": unit.site_id}
    return reverse("customers:unit_update", args=[unit.pk]), data, "version", unit, "NEW-SN"


def _price_list(world):
    price_list = make_price_list(name="Old list", rates=())
    data = {
        "name": "New list",
        "valid_from": "2026-01-01",
        "currency": "EUR",
        "rates-TOTAL_FORMS": 0,
        "rates-INITIAL_FORMS": 0,
        "rates-MIN_NUM_FORMS": 0,
        "rates-MAX_NUM_FORMS": 1000,
    }
    url = reverse("quotes:pricelist_update", args=[price_list.pk])
    return url, data, "version", price_list, "New list"


def _offer_terms(world):
    offer = make_draft(world["operator"])
    data = {
        "billing_customer": offer.customer_id,
        "billing_site": offer.site_id,
        "billing_contact": offer.contact_id,
        "show_prices": "on",
        "notes": "Deliver to gate 4",
    }
    url = reverse("orders:offer_terms", args=[offer.pk])
    return url, data, "version", offer, "Deliver to gate 4"


def _cart_line(world):
    offer = make_draft(world["operator"], parts=[make_part("FLT-9")])
    line = offer.lines.get()
    prefix = f"l{line.pk}"
    data = {
        f"{prefix}-quantity": "7",
        f"{prefix}-unit_price": "12.34",
        f"{prefix}-discount_percent": "0",
    }
    url = reverse("orders:cart_line", args=[offer.pk, line.pk])
    return url, data, f"{prefix}-version", line, "12.34"


def _call(world):
    call = make_call()
    intervention = first_intervention(call)
    data = {
        "call-site": call.site_id,
        "call-unit": call.unit_id,
        "call-channel": "phone",
        "call-priority": "high",
        "call-received_at": "2026-11-20T09:30",
        "call-description": "A new description",
    }
    url = reverse("calls:call_update", args=[call.pk, intervention.number])
    return url, data, "call-version", call, "A new description"


def _intervention(world):
    intervention = first_intervention(make_call())
    data = {
        "intervention-type": make_intervention_type().pk,
        "intervention-requested_date": "2026-12-03",
        "intervention-what_to_bring": "A longer ladder",
    }
    url = reverse("calls:intervention_update", args=[intervention.call_id, intervention.number])
    return url, data, "intervention-version", intervention, "A longer ladder"


def _activity(world):
    technician = world["technician"]
    activity = make_activity(technician, notes="Old notes")
    data = {
        "technician": technician.pk,
        "kind": "office",
        "date": str(next_monday()),
        "start_time": "14:00",
        "end_time": "15:00",
        "notes": "Moved to the afternoon",
    }
    url = reverse("planner:activity_update", args=[activity.pk])
    return url, data, "version", activity, "Moved to the afternoon"


def _time_entry(world):
    entry = make_entry(world["technician"], description="Old description")
    data = {"date": str(yesterday()), "kind": "office", "hours": "3", "description": "Inventory"}
    url = reverse("planner:time_entry_update", args=[entry.pk])
    return url, data, "version", entry, "Inventory"


EDIT_FORMS = {
    "customer": ("operator_client", _customer),
    "site": ("operator_client", _site),
    "contact": ("operator_client", _contact),
    "product": ("operator_client", _product),
    "unit": ("operator_client", _unit),
    "price list": ("operator_client", _price_list),
    "offer terms": ("operator_client", _offer_terms),
    "cart line": ("operator_client", _cart_line),
    "call section": ("operator_client", _call),
    "intervention section": ("operator_client", _intervention),
    "activity": ("technician_client", _activity),
    "time entry": ("technician_client", _time_entry),
}


def _world(request):
    return {
        "operator": request.getfixturevalue("operator"),
        "technician": request.getfixturevalue("technician"),
    }


def _snapshot(record):
    fresh = type(record).objects.get(pk=record.pk)
    return fresh.version, getattr(fresh, "updated_at", None), getattr(fresh, "quantity", None)


@pytest.mark.parametrize("name", EDIT_FORMS)
def test_every_edit_form_sent_without_its_version_saves_nothing(request, name):
    client_name, case = EDIT_FORMS[name]
    world = _world(request)
    client = request.getfixturevalue(client_name)
    url, data, key, record, typed = case(world)
    before = _snapshot(record)
    for version in (None, "", "abc", "0"):
        sent = data if version is None else {**data, key: version}
        response = client.post(url, sent)
        page = response.content.decode()
        assert response.status_code == 200, name
        assert MISSING in page, name  # the form error
        assert typed in page, name  # what the user typed is still there
        assert _snapshot(record) == before, name  # nothing saved


@pytest.mark.parametrize("name", EDIT_FORMS)
def test_every_edit_form_with_its_version_saves_once_and_refuses_the_stale_copy(request, name):
    client_name, case = EDIT_FORMS[name]
    world = _world(request)
    client = request.getfixturevalue(client_name)
    url, data, key, record, typed = case(world)
    shown = type(record).objects.get(pk=record.pk).version
    saved = client.post(url, {**data, key: shown})
    assert saved.status_code in (200, 302), name
    after = _snapshot(record)
    assert after[0] > shown, name  # the save counted (the first intervention data: 2 changes)
    stale = client.post(url, {**data, key: shown})
    assert CONFLICT in stale.content.decode(), name
    assert _snapshot(record) == after, name


def test_the_audited_models_share_one_base():
    for model in (Call, Quote, Activity, TimeEntry, Offer, Expense):
        assert issubclass(model, Audited), model
    for model in (Customer, Site, Contact, Product, Unit, Intervention, PriceList, OfferLine):
        assert issubclass(model, Versioned), model
    for model in (Customer, Intervention, PriceList):
        assert issubclass(model, TimeStamped), model


def test_created_by_keeps_its_own_wording_per_record():
    with translation.override("it"):
        assert str(Call._meta.get_field("created_by").verbose_name) == "creata da"
        assert str(Expense._meta.get_field("created_by").verbose_name) == "registrato da"
        assert str(Offer._meta.get_field("created_by").verbose_name) == "creato da"


def test_every_change_counts_once_in_the_database_even_from_a_stale_copy():
    customer = make_customer(name="Counted")
    first, second = Customer.objects.get(pk=customer.pk), Customer.objects.get(pk=customer.pk)
    first.name = "Counted once"
    first.save()
    second.phone = "+39 02 1234567"
    second.save()  # a stale copy: its version was 1 too, yet the count goes on
    assert Customer.objects.get(pk=customer.pk).version == 3
    assert first.version == 3  # read again when used
    # A save limited to fields that are not an edit (without "version") does not count.
    customer.refresh_from_db()
    customer.is_active = False
    customer.save(update_fields=["is_active", "updated_at"])
    assert Customer.objects.get(pk=customer.pk).version == 3
    customer.save(update_fields=["is_active", "version"])
    assert Customer.objects.get(pk=customer.pk).version == 4


def test_a_new_record_starts_at_version_one():
    customer = make_customer()
    assert customer.version == 1
    assert Customer.objects.get(pk=customer.pk).version == 1
