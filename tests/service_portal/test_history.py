"""One history shape and one helper that applies a document's transition map."""

from __future__ import annotations

import pytest

from orders.models import OfferStateChange
from quotes.models import Quote, QuoteEvent, QuoteState
from quotes.services import TRANSITIONS, create_quote_from_price_list
from service_portal import history
from tests.factories import make_customer
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def _quote(user) -> Quote:
    return create_quote_from_price_list(
        customer=make_customer(), price_list=make_price_list(), acting_user=user
    )


def test_apply_saves_the_state_and_records_from_to_by_and_reason(administrator):
    quote = _quote(administrator)
    before = quote.updated_at
    change = history.apply(
        quote,
        QuoteState.CONFIRMED,
        history=QuoteEvent,
        by=administrator,
        reason="customer agreed",
        allowed=TRANSITIONS,
        action="state",
    )
    stored = Quote.objects.get(pk=quote.pk)
    assert stored.state == QuoteState.CONFIRMED
    assert stored.updated_at > before  # saved with the state
    assert (change.from_state, change.to_state, change.by, change.reason) == (
        QuoteState.DRAFT,
        QuoteState.CONFIRMED,
        administrator,
        "customer agreed",
    )
    assert change.quote == quote and change.at is not None


def test_a_change_the_map_does_not_allow_raises_the_apps_error_and_changes_nothing(
    administrator,
):
    quote = _quote(administrator)
    quote.state = QuoteState.SUPERSEDED
    quote.save()
    rows = QuoteEvent.objects.count()
    with pytest.raises(Refused, match="superseded -> confirmed"):
        history.apply(
            quote,
            QuoteState.CONFIRMED,
            history=QuoteEvent,
            by=administrator,
            allowed=TRANSITIONS,
            refused=lambda a, b: Refused(f"{a} -> {b}"),
            action="state",
        )
    assert Quote.objects.get(pk=quote.pk).state == QuoteState.SUPERSEDED
    assert QuoteEvent.objects.count() == rows
    with pytest.raises(history.RefusedTransition):
        history.apply(
            quote, QuoteState.DRAFT, history=QuoteEvent, by=administrator, allowed=TRANSITIONS
        )


def test_a_history_of_another_document_is_refused(administrator):
    with pytest.raises(TypeError, match="no foreign key to Quote"):
        history.record(OfferStateChange, _quote(administrator), to_state="draft", by=None)


def test_edges_list_every_change_of_a_map():
    assert history.edges(TRANSITIONS) == {
        ("draft", "confirmed"),
        ("draft", "superseded"),
        ("confirmed", "accepted"),
        ("confirmed", "declined"),
        ("confirmed", "superseded"),
        ("accepted", "superseded"),
        ("declined", "superseded"),
    }
