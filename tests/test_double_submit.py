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
        admin_client_, url, {"kind": "labour", "quantity": "3", "reason": "Training"}
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
