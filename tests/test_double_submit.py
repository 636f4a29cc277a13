"""A double-clicked (or retried) create form makes one record: notes, expenses, corrections,
activities, hours, a used spare part and a part added to an offer's cart carry a submission
token (service_portal.idempotency)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from calls.models import Expense, InterventionNote, PartUsed, State
from invoicing.models import Correction
from orders.models import OfferLine
from planner.models import Activity, TimeEntry
from tests.calls.factories import make_intervention
from tests.invoicing.factories import make_done_intervention
from tests.orders.factories import make_draft, make_part
from tests.planner.factories import make_activity, next_monday, yesterday

pytestmark = pytest.mark.django_db

ALREADY = "This form had already been saved"


def _twice(client, url, data):
    token = str(uuid.uuid4())
    first = client.post(url, {**data, "submission_token": token}, follow=True)
    second = client.post(url, {**data, "submission_token": token}, follow=True)
    return first, second


def _prefixed(prefix, data):
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_a_note_sent_twice_is_added_once(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    url = reverse("calls:note_add", args=[intervention.call_id, intervention.number])
    token = str(uuid.uuid4())
    data = {
        "note-kind": "internal",
        "note-text": "Bring the ladder",
        "note-submission_token": token,
    }
    technician_client.post(url, data)
    second = technician_client.post(url, data, follow=True)
    assert InterventionNote.objects.filter(text="Bring the ladder").count() == 1
    assert ALREADY in second.content.decode()


def test_a_refused_note_frees_its_token_for_the_corrected_one(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    url = reverse("calls:note_add", args=[intervention.call_id, intervention.number])
    token = str(uuid.uuid4())
    technician_client.post(
        url, {"note-kind": "bogus", "note-text": "x", "note-submission_token": token}
    )
    technician_client.post(
        url, {"note-kind": "internal", "note-text": "Fixed", "note-submission_token": token}
    )
    assert InterventionNote.objects.filter(text="Fixed").count() == 1


def test_an_expense_sent_twice_is_recorded_once(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    url = reverse("calls:expense_add", args=[intervention.call_id, intervention.number])
    data = _prefixed(
        "expense",
        {
            "kind": "meal",
            "date": str(yesterday()),
            "amount": "12.50",
            "submission_token": str(uuid.uuid4()),
        },
    )
    technician_client.post(url, data)
    technician_client.post(url, data)
    assert Expense.objects.count() == 1


def test_a_correction_sent_twice_is_recorded_once(admin_client_):
    intervention = make_done_intervention()
    url = reverse("invoicing:correction_add", args=[intervention.pk])
    _first, second = _twice(
        admin_client_, url, {"line": "labour:normal", "quantity": "3", "reason": "Training"}
    )
    assert Correction.objects.count() == 1
    assert ALREADY in second.content.decode()


def test_an_activity_sent_twice_is_added_once(technician_client, technician):
    url = reverse("planner:day", args=[technician.pk, str(next_monday())])
    data = {
        "technician": technician.pk,
        "kind": "office",
        "date": str(next_monday()),
        "start_time": "14:00",
        "end_time": "15:00",
    }
    _first, second = _twice(technician_client, url, data)
    assert Activity.objects.count() == 1
    assert ALREADY in second.content.decode()


def test_an_activity_with_warnings_can_still_be_confirmed(technician_client, technician):
    from tests.planner.factories import at

    make_activity(technician, start=at(next_monday(), 14), notes="existing")
    url = reverse("planner:day", args=[technician.pk, str(next_monday())])
    data = {
        "technician": technician.pk,
        "kind": "office",
        "date": str(next_monday()),
        "start_time": "14:30",
        "end_time": "15:00",
        "submission_token": str(uuid.uuid4()),
    }
    warned = technician_client.post(url, data)
    assert warned.status_code == 200 and Activity.objects.count() == 1  # overlap: confirm
    confirmed = technician_client.post(url, {**data, "confirm": "on"})
    assert confirmed.status_code == 302
    assert Activity.objects.count() == 2


def test_hours_sent_twice_are_recorded_once(technician_client, technician):
    url = reverse("planner:hours_day", args=[str(yesterday())])
    data = {"date": str(yesterday()), "kind": "office", "hours": "2", "description": "Paper"}
    _first, second = _twice(technician_client, url, data)
    assert TimeEntry.objects.count() == 1
    assert ALREADY in second.content.decode()


def test_intervention_hours_sent_twice_are_recorded_once(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    url = reverse("planner:intervention_hours", args=[intervention.pk])
    data = {"date": str(yesterday()), "kind": "labour", "hours": "3"}
    _twice(technician_client, url, data)
    assert TimeEntry.objects.count() == 1


HTMX = {"HX-Request": "true"}


def test_a_used_part_added_twice_from_the_search_is_recorded_once(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    part = make_part("BELT-9")
    args = [intervention.call_id, intervention.number]
    results = technician_client.get(reverse("calls:part_search", args=args), {"q": "belt"})
    token = results.context["parts"][0].submission_token
    assert f'name="submission_token" value="{token}"' in results.content.decode()
    url = reverse("calls:part_add", args=args)
    data = {"spare_part": part.pk, "quantity": "2", "submission_token": str(token)}
    first = technician_client.post(url, data, headers=HTMX)
    assert "Part added." in first.content.decode()
    second = technician_client.post(url, data, headers=HTMX)
    assert ALREADY in second.content.decode()
    plain = technician_client.post(url, data, follow=True)
    assert ALREADY in plain.content.decode()
    assert PartUsed.objects.get().quantity == 2
    # a new search gives new tokens: the same part can be recorded again on purpose
    again = technician_client.get(reverse("calls:part_search", args=args), {"q": "belt"})
    assert again.context["parts"][0].submission_token != token
    data["submission_token"] = str(again.context["parts"][0].submission_token)
    technician_client.post(url, data)
    assert PartUsed.objects.count() == 2


def test_a_refused_used_part_frees_its_token(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    part = make_part()
    url = reverse("calls:part_add", args=[intervention.call_id, intervention.number])
    token = str(uuid.uuid4())
    refused = technician_client.post(
        url, {"spare_part": part.pk, "quantity": "5000", "submission_token": token}
    )
    assert "at most 1000" in refused.content.decode()
    technician_client.post(url, {"spare_part": part.pk, "quantity": "3", "submission_token": token})
    assert PartUsed.objects.get().quantity == 3


def test_a_part_added_twice_to_the_cart_adds_one_to_its_quantity_once(operator_client, operator):
    part = make_part("FLT-1")
    offer = make_draft(operator, parts=[part])  # quantity 1
    cart = operator_client.get(reverse("orders:offer_cart", args=[offer.pk]), {"q": "FLT"})
    token = cart.context["parts"][0].submission_token
    assert f'value="{token}" id="cart-token-{part.pk}"' in cart.content.decode()
    url = reverse("orders:cart_add", args=[offer.pk])
    data = {"part": part.pk, "submission_token": str(token)}
    first = operator_client.post(url, data, headers=HTMX)
    # the answer gives the part's form a new token (out of band): adding again on purpose works
    fresh = first.context["added"].submission_token
    assert f'value="{fresh}" id="cart-token-{part.pk}" hx-swap-oob="true"' in first.content.decode()
    second = operator_client.post(url, data, headers=HTMX)
    assert ALREADY in second.content.decode()
    plain = operator_client.post(url, data, follow=True)
    assert ALREADY in plain.content.decode()
    assert OfferLine.objects.get().quantity == 2
    operator_client.post(url, {"part": part.pk, "submission_token": str(fresh)}, headers=HTMX)
    assert OfferLine.objects.get().quantity == 3


def test_a_part_refused_by_the_cart_frees_its_token(operator_client, operator):
    part = make_part("OLD-1")
    offer = make_draft(operator)
    token = str(uuid.uuid4())
    part.is_active = False
    part.save()
    url = reverse("orders:cart_add", args=[offer.pk])
    refused = operator_client.post(url, {"part": part.pk, "submission_token": token}, follow=True)
    assert not OfferLine.objects.exists()
    assert ALREADY not in refused.content.decode()
    part.is_active = True
    part.save()
    operator_client.post(url, {"part": part.pk, "submission_token": token})
    assert OfferLine.objects.get().quantity == 1


# --- Every create form: sent twice it creates once; sent without its token it saves nothing --
# Each case gives the client, the address, what the user typed (without the token), how many
# records it made and one typed value that the refused page must still show.
MISSING = "could not be checked against double sending"


def _customer_world():
    from tests.factories import make_customer, make_product, make_site

    customer = make_customer()
    return customer, make_site(customer), make_product(code="CMP-900")


def _case_customer(world):
    from customers.models import Customer

    data = {"name": "Doppio S.r.l.", "country": "IT", "language": "it", "is_active": "on"}
    count = Customer.objects.filter(name="Doppio S.r.l.").count
    return reverse("customers:customer_create"), data, "", count, "Doppio S.r.l."


def _case_site(world):
    from customers.models import Site

    customer, _site, _product = world
    data = {"name": "Plant Doppio", "city": "Lodi", "country": "IT", "is_active": "on"}
    url = reverse("customers:site_create", args=[customer.pk])
    return url, data, "", Site.objects.filter(name="Plant Doppio").count, "Plant Doppio"


def _case_contact(world):
    from customers.models import Contact

    customer, _site, _product = world
    data = {"name": "Giulia Doppia", "phone": "+39 0371 445566", "is_active": "on"}
    url = reverse("customers:contact_create", args=[customer.pk])
    return url, data, "", Contact.objects.filter(name="Giulia Doppia").count, "Giulia Doppia"


def _case_product(world):
    from customers.models import Product
    from service_portal.i18n import localized_fields

    data = {name: "Compressore doppio" for name in localized_fields("description")}
    data.update(code="DUP-77", is_active="on")
    count = Product.objects.filter(code="DUP-77").count
    return reverse("customers:product_create"), data, "", count, "Compressore doppio"


def _case_unit(world):
    from customers.models import Unit

    customer, site, product = world
    data = {"product": product.pk, "serial_number": "DUP-SN-1", "site": site.pk}
    url = reverse("customers:unit_create", args=[customer.pk])
    return url, data, "", Unit.objects.filter(serial_number="DUP-SN-1").count, "DUP-SN-1"


def _case_call(world):
    from calls.models import Call
    from tests.factories import make_unit

    unit = make_unit(world[1], world[2])
    data = {
        "customer": unit.site.customer_id,
        "unit": unit.pk,
        "channel": "phone",
        "priority": "normal",
        "received_at": "2026-11-20T09:30",
        "description": "Leaking twice",
        "no_contact_reason": "Anonymous caller",
    }
    count = Call.objects.filter(description="Leaking twice").count
    return reverse("calls:call_create"), data, "", count, "Leaking twice"


def _case_inline_contact(world):
    from customers.models import Contact

    customer = world[0]
    data = {"name": "Inline Doppio", "phone": "+39 0371 445566", "is_active": "on"}
    url = reverse("calls:new_contact", args=[customer.pk])
    count = Contact.objects.filter(name="Inline Doppio").count
    return url, data, "new_contact", count, "Inline Doppio"


def _case_inline_site(world):
    from customers.models import Site

    customer = world[0]
    data = {"name": "Inline Plant", "city": "Lodi", "country": "IT", "is_active": "on"}
    url = reverse("calls:new_site", args=[customer.pk])
    return url, data, "new_site", Site.objects.filter(name="Inline Plant").count, "Inline Plant"


def _case_offer(world):
    from orders.models import Offer
    from tests.factories import make_contact, make_unit

    customer, site, product = world
    contact = make_contact(customer, name="Buyer Doppio")
    unit = make_unit(site, product)
    data = {"customer": customer.pk, "site": site.pk, "contact": contact.pk, "unit": unit.pk}
    return reverse("orders:offer_create"), data, "", Offer.objects.count, "Buyer Doppio"


def _case_price_list(world):
    from quotes.models import PriceList

    data = {
        "name": "Listino doppio",
        "valid_from": "2026-01-01",
        "currency": "EUR",
        "rates-TOTAL_FORMS": 0,
        "rates-INITIAL_FORMS": 0,
        "rates-MIN_NUM_FORMS": 0,
        "rates-MAX_NUM_FORMS": 1000,
    }
    count = PriceList.objects.filter(name="Listino doppio").count
    return reverse("quotes:pricelist_create"), data, "", count, "Listino doppio"


def _case_price_list_copy(world):
    from quotes.models import PriceList
    from tests.quotes.factories import make_price_list

    source = make_price_list(name="Standard")
    data = {"name": "Copia doppia", "valid_from": "2027-01-01", "percent_increase": "2"}
    url = reverse("quotes:pricelist_copy", args=[source.pk])
    return url, data, "", PriceList.objects.filter(name="Copia doppia").count, "Copia doppia"


def _case_quote(world):
    from quotes.models import Quote
    from tests.quotes.factories import make_price_list

    customer = world[0]
    price_list = make_price_list(name="Listino del cliente", customer=customer)
    url = f"{reverse('quotes:quote_create')}?customer={customer.pk}"
    return url, {"price_list": price_list.pk}, "", Quote.objects.count, "Listino del cliente"


def _case_user(world):
    from accounts.models import User

    data = {"first_name": "Dora", "last_name": "Doppia", "role": "technician", "language": "it"}
    count = User.objects.filter(last_name="Doppia").count
    return reverse("accounts:user_create"), data, "", count, "Doppia"


def _case_plan(world):
    from accounts.models import Role
    from tests.factories import make_user
    from tests.planner.factories import ready_intervention

    intervention = ready_intervention()
    technician = make_user("planned-tech", Role.TECHNICIAN)
    data = {
        "technician": technician.pk,
        "date": str(next_monday()),
        "start_time": "09:00",
        "end_time": "12:00",
        "notes": "Bring the long ladder",
    }
    url = reverse("planner:plan", args=[intervention.pk])
    count = Activity.objects.filter(intervention=intervention).count
    return url, data, "", count, "Bring the long ladder"


CREATE_FORMS = {
    "customer": ("operator_client", _case_customer),
    "site": ("operator_client", _case_site),
    "contact": ("operator_client", _case_contact),
    "product": ("operator_client", _case_product),
    "unit": ("operator_client", _case_unit),
    "call": ("operator_client", _case_call),
    "call's inline contact": ("operator_client", _case_inline_contact),
    "call's inline site": ("operator_client", _case_inline_site),
    "offer": ("operator_client", _case_offer),
    "price list": ("operator_client", _case_price_list),
    "price list copy": ("operator_client", _case_price_list_copy),
    "quote": ("operator_client", _case_quote),
    "user": ("admin_client_", _case_user),
    "planning of an intervention": ("operator_client", _case_plan),
}


def _named(prefix, data):
    return _prefixed(prefix, data) if prefix else dict(data)


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_every_create_form_sent_twice_creates_once(request, name):
    client_name, case = CREATE_FORMS[name]
    client = request.getfixturevalue(client_name)
    url, data, prefix, count, _typed = case(_customer_world())
    data = _named(prefix, {**data, "submission_token": str(uuid.uuid4())})
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code in (200, 302), first.content.decode()[:2000]
    assert second.status_code in (200, 302)
    assert count() == 1
    if second.status_code == 302:  # a page: the repeat goes where the first one went
        assert second["Location"] == first["Location"]
    # (a repeated product code or serial number is refused by the form before: also once)


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_every_create_form_sent_without_its_token_saves_nothing(request, name):
    client_name, case = CREATE_FORMS[name]
    client = request.getfixturevalue(client_name)
    url, data, prefix, count, typed = case(_customer_world())
    for token in (None, "", "not-a-token"):
        sent = _named(prefix, data if token is None else {**data, "submission_token": token})
        response = client.post(url, sent)
        page = response.content.decode()
        assert response.status_code == 200
        assert MISSING in page  # the form error, translated like every message
        assert typed in page  # what the user typed is still there
        assert count() == 0
    # The refused form carries a fresh token: sending it as shown saves once.
    form = response.context.get("inline_form") or response.context["form"]
    fresh = str(form["submission_token"].value())
    assert fresh and fresh != "not-a-token"
    assert client.post(url, _named(prefix, {**data, "submission_token": fresh})).status_code in (
        200,
        302,
    )
    assert count() == 1


def test_a_section_create_form_without_its_token_saves_nothing(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    args = [intervention.call_id, intervention.number]
    note = {"note-kind": "internal", "note-text": "Bring the ladder"}
    response = technician_client.post(reverse("calls:note_add", args=args), note)
    assert MISSING in response.content.decode() and "Bring the ladder" in response.content.decode()
    expense = _prefixed("expense", {"kind": "meal", "date": str(yesterday()), "amount": "12.50"})
    response = technician_client.post(reverse("calls:expense_add", args=args), expense)
    assert MISSING in response.content.decode() and "12.50" in response.content.decode()
    part = make_part("BELT-7")
    response = technician_client.post(
        reverse("calls:part_add", args=args), {"spare_part": part.pk, "quantity": "2"}
    )
    assert MISSING in response.content.decode()
    assert not InterventionNote.objects.exists()
    assert not Expense.objects.exists()
    assert not PartUsed.objects.exists()


def test_planner_create_forms_without_their_token_save_nothing(technician_client, technician):
    intervention = make_intervention(State.PLANNED, technician=technician)
    activity = {
        "technician": technician.pk,
        "kind": "office",
        "date": str(next_monday()),
        "start_time": "14:00",
        "end_time": "15:00",
        "notes": "Inventory count",
    }
    response = technician_client.post(
        reverse("planner:day", args=[technician.pk, str(next_monday())]), activity
    )
    assert MISSING in response.content.decode() and "Inventory count" in response.content.decode()
    hours = {"date": str(yesterday()), "kind": "office", "hours": "2", "description": "Paperwork"}
    response = technician_client.post(reverse("planner:hours_day", args=[str(yesterday())]), hours)
    assert MISSING in response.content.decode() and "Paperwork" in response.content.decode()
    response = technician_client.post(
        reverse("planner:intervention_hours", args=[intervention.pk]),
        {"date": str(yesterday()), "kind": "labour", "hours": "3"},
    )
    assert MISSING in response.content.decode()
    assert not Activity.objects.exists()
    assert not TimeEntry.objects.exists()


def test_a_correction_without_its_token_saves_nothing(admin_client_):
    intervention = make_done_intervention()
    url = reverse("invoicing:correction_add", args=[intervention.pk])
    data = {"line": "labour:normal", "quantity": "3", "reason": "Training hour"}
    response = admin_client_.post(url, data)
    assert MISSING in response.content.decode() and "Training hour" in response.content.decode()
    assert not Correction.objects.exists()


def test_a_part_added_to_the_cart_without_its_token_is_refused(operator_client, operator):
    part = make_part("FLT-2")
    offer = make_draft(operator)
    url = reverse("orders:cart_add", args=[offer.pk])
    response = operator_client.post(url, {"part": part.pk}, headers=HTMX)
    assert MISSING in response.content.decode()
    response = operator_client.post(url, {"part": part.pk, "submission_token": "x"}, follow=True)
    assert MISSING in response.content.decode()
    assert not OfferLine.objects.exists()


def test_every_create_form_on_the_management_page_carries_its_token(technician_client, technician):
    """As a browser sends them: the note and expense forms hold their token in the page (the
    expense form once did not, so its double-submit check was silently skipped)."""
    import re

    intervention = make_intervention(State.PLANNED, technician=technician)
    args = [intervention.call_id, intervention.number]
    page = technician_client.get(reverse("calls:manage", args=args)).content.decode()
    for prefix in ("note", "expense"):
        found = re.search(rf'name="{prefix}-submission_token" value="([0-9a-f-]{{36}})"', page)
        assert found, prefix
    token = re.search(r'name="expense-submission_token" value="([0-9a-f-]{36})"', page).group(1)
    data = _prefixed(
        "expense",
        {"kind": "meal", "date": str(yesterday()), "amount": "9.90", "submission_token": token},
    )
    technician_client.post(reverse("calls:expense_add", args=args), data)
    technician_client.post(reverse("calls:expense_add", args=args), data)
    assert Expense.objects.count() == 1
