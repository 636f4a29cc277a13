"""Section 3: the quote built from a price list, wired to the intervention's state."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from calls import services
from calls.models import Intervention, State
from calls.services import CallError
from quotes.models import Quote
from tests.calls.factories import make_intervention
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db


def _url(name, intervention):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number])


def test_quoting_links_the_quote_and_moves_to_quoted(operator):
    intervention = make_intervention(State.EXPECTED)
    price_list = make_price_list()
    quote = services.quote_intervention(
        intervention=intervention, price_list=price_list, acting_user=operator
    )
    intervention.refresh_from_db()
    assert intervention.quote == quote
    assert intervention.state == State.QUOTED
    assert intervention.call.__class__.objects.get(pk=intervention.call_id).status == State.QUOTED
    assert quote.lines.count() == 4


def test_quoting_is_one_transaction(operator):
    intervention = make_intervention(State.EXPECTED)
    price_list = make_price_list()
    with (
        mock.patch("calls.services.transition", side_effect=CallError("boom")),
        pytest.raises(CallError),
    ):
        services.quote_intervention(
            intervention=intervention, price_list=price_list, acting_user=operator
        )
    intervention.refresh_from_db()
    assert intervention.quote is None
    assert intervention.state == State.EXPECTED
    assert not Quote.objects.exists()


@pytest.mark.parametrize("state", [State.NEW, State.PLANNED, State.QUOTED])
def test_only_an_expected_intervention_is_quoted(operator, state):
    intervention = make_intervention(state)
    with pytest.raises(CallError):
        services.quote_intervention(
            intervention=intervention, price_list=make_price_list(), acting_user=operator
        )
    assert not Quote.objects.exists()


def test_a_technician_cannot_quote(technician):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    with pytest.raises(CallError):
        services.quote_intervention(
            intervention=intervention, price_list=make_price_list(), acting_user=technician
        )


def test_the_page_offers_the_warranty_list_first_and_marks_it(operator_client):
    intervention = make_intervention(State.EXPECTED, requested_date=datetime.date(2026, 12, 1))
    unit = intervention.call.unit
    unit.warranty_end = datetime.date(2027, 6, 30)
    unit.save()
    make_price_list(name="Standard")
    make_price_list(name="Warranty", is_warranty=True, rates=[])
    page = operator_client.get(_url("manage", intervention)).content.decode()
    assert 'data-testid="under-warranty"' in page
    assert 'data-testid="warranty-list"' in page
    assert page.index(">Warranty\n") < page.index(">Standard\n")


def test_out_of_warranty_the_warranty_list_is_not_offered(operator_client):
    intervention = make_intervention(State.EXPECTED, requested_date=datetime.date(2026, 12, 1))
    unit = intervention.call.unit
    unit.warranty_end = datetime.date(2026, 11, 30)
    unit.save()
    make_price_list(name="Standard")
    make_price_list(name="Warranty list", is_warranty=True, rates=[])
    page = operator_client.get(_url("manage", intervention)).content.decode()
    assert "Warranty list" not in page
    assert 'data-testid="under-warranty"' not in page


def test_the_page_creates_the_quote_and_shows_its_summary(operator_client):
    intervention = make_intervention(State.EXPECTED)
    price_list = make_price_list(name="Standard")
    url = _url("quote_create", intervention)
    response = operator_client.post(url, {"price_list": price_list.pk})
    assert response.status_code == 302
    intervention = Intervention.objects.get(pk=intervention.pk)
    assert intervention.state == State.QUOTED
    page = operator_client.get(_url("manage", intervention)).content.decode()
    assert 'data-testid="quote-summary"' in page
    assert reverse("quotes:quote_pdf", args=[intervention.quote_id]) in page
    # The spare-part offer is made from the call (linked to it), by a POST.
    assert reverse("calls:offer_create", args=[intervention.call_id, 1]) in page


def test_a_price_list_not_offered_is_refused(operator_client):
    intervention = make_intervention(State.EXPECTED)
    other = make_price_list(valid_from=datetime.date(2030, 1, 1))
    response = operator_client.post(_url("quote_create", intervention), {"price_list": other.pk})
    assert response.status_code == 200
    assert 'data-testid="quote-error"' in response.content.decode()
    assert not Quote.objects.exists()
