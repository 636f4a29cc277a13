"""A quote sent to the customer for acceptance: the e-mail (real SMTP) with the PDF and the
signed link; accepted or declined (with a reason) by name and time; expired, forged, altered
and replayed links refused with a page that says so; frozen once accepted (a change is a
revision that needs its own answer); required before planning when the type says so."""

from __future__ import annotations

import email
import io
import re
from email import policy

import pytest
from django.core import signing
from django.urls import reverse
from pypdf import PdfReader

from calls import services as call_services
from calls.models import State
from calls.services import CallError
from quotes import services
from quotes.links import SALT, make_token
from quotes.models import Quote, QuoteState
from quotes.services import QuoteError
from tests.calls.factories import make_intervention, make_intervention_type
from tests.factories import make_company_profile
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def quoted(operator):
    intervention = make_intervention(State.EXPECTED)
    intervention.call.customer.language = "it"
    intervention.call.customer.save()
    call_services.quote_intervention(
        intervention=intervention, price_list=make_price_list(), acting_user=operator
    )
    return intervention


def _send(intervention, operator, callbacks):
    with callbacks(execute=True):
        return call_services.send_intervention_quote(
            intervention=intervention, acting_user=operator
        )


def _path(quote) -> str:
    return reverse("quotes:public_quote", args=[make_token(quote.pk)])


def test_the_quote_reaches_the_contact_by_real_smtp_with_pdf_letterhead_and_link(
    quoted, operator, smtp_server, django_capture_on_commit_callbacks, client
):
    make_company_profile(legal_name="Assistenza Tecnica S.r.l.")
    quote = _send(quoted, operator, django_capture_on_commit_callbacks)
    assert quote.state == QuoteState.CONFIRMED and quote.sent_at is not None
    (envelope,) = smtp_server
    contact = quoted.call.contact
    assert envelope.rcpt_tos == [contact.email]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"].startswith(f"Preventivo {quote.code}")  # the customer's language
    (attachment,) = list(message.iter_attachments())
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Assistenza Tecnica S.r.l." in text and quote.code in text
    link = re.search(r"https?://\S+/quotes/q/\S+/", message.get_body(("plain",)).get_content())
    path = link.group(0)[link.group(0).index("/quotes/q/") :]
    page = client.get(path)
    assert page.status_code == 200 and "Accetta il preventivo" in page.content.decode()


def test_accepted_through_the_link_by_name_and_time_then_frozen(
    quoted, operator, client, django_capture_on_commit_callbacks
):
    quote = _send(quoted, operator, django_capture_on_commit_callbacks)
    response = client.post(_path(quote), {"name": "Giulia Neri", "decision": "accept"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.state, quote.decision, quote.decided_by_name) == (
        QuoteState.ACCEPTED,
        QuoteState.ACCEPTED,
        "Giulia Neri",
    )
    assert quote.decided_at is not None
    assert quote.events.filter(action="decided", to_state="accepted").count() == 1
    # Replayed: the page says it was accepted; a second answer changes nothing.
    again = client.post(_path(quote), {"name": "Mallory", "decision": "decline", "reason": "x"})
    assert again.status_code == 200 and "già accettato" in again.content.decode()
    quote.refresh_from_db()
    assert (quote.state, quote.decided_by_name) == (QuoteState.ACCEPTED, "Giulia Neri")
    # Frozen: the lines cannot change; a change is a revision that needs its own answer.
    with pytest.raises(QuoteError):
        services.update_quote_terms(
            quote=quote, acting_user=operator, notes="x", vat_rate=quote.vat_rate
        )
    new = services.revise_quote(quote=quote, acting_user=operator)
    quote.refresh_from_db()
    quoted.refresh_from_db()
    assert quoted.quote == new and new.state == QuoteState.DRAFT and new.replaces == quote
    # The accepted one stays as it was answered.
    assert (quote.decision, quote.decided_by_name) == (QuoteState.ACCEPTED, "Giulia Neri")
    superseded = client.post(_path(quote), {"name": "G", "decision": "accept"})
    assert "sostituito" in superseded.content.decode()


def test_declining_needs_a_reason(quoted, operator, client, django_capture_on_commit_callbacks):
    quote = _send(quoted, operator, django_capture_on_commit_callbacks)
    response = client.post(_path(quote), {"name": "G", "decision": "decline"})
    assert response.status_code == 200 and "perché" in response.content.decode()
    quote.refresh_from_db()
    assert quote.state == QuoteState.CONFIRMED
    client.post(_path(quote), {"name": "G", "decision": "decline", "reason": "Troppo caro"})
    quote.refresh_from_db()
    assert (quote.state, quote.decision_reason) == (QuoteState.DECLINED, "Troppo caro")


def test_forged_altered_and_foreign_links_are_refused(
    quoted, operator, client, django_capture_on_commit_callbacks
):
    quote = _send(quoted, operator, django_capture_on_commit_callbacks)
    token = make_token(quote.pk)
    forged = f"{quote.pk + 1}:{token.split(':', 1)[1]}"
    offer_token = signing.TimestampSigner(salt="orders.offer-acceptance").sign(str(quote.pk))
    for bad in (forged, token[:-2] + "xx", "nonsense", offer_token):
        url = reverse("quotes:public_quote", args=[bad])
        response = client.post(url, {"name": "X", "decision": "accept"})
        assert response.status_code == 404, bad
        assert "non è valido" in response.content.decode() or "not valid" in (
            response.content.decode()
        )
    assert SALT != "orders.offer-acceptance"
    quote.refresh_from_db()
    assert quote.state == QuoteState.CONFIRMED


def test_an_expired_link_is_refused(
    quoted, operator, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    quote = _send(quoted, operator, django_capture_on_commit_callbacks)
    token = make_token(quote.pk)
    settings.QUOTE_LINK_DAYS = 1
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 2 * 24 * 3600)
    response = client.post(
        reverse("quotes:public_quote", args=[token]), {"name": "G", "decision": "accept"}
    )
    assert response.status_code == 410 and "scaduto" in response.content.decode()
    quote.refresh_from_db()
    assert quote.state == QuoteState.CONFIRMED


def test_a_quote_never_sent_has_no_public_page(quoted, client):
    assert client.get(_path(quoted.quote)).status_code == 404


def test_sending_needs_the_contacts_email(quoted, operator):
    contact = quoted.call.contact
    contact.email = ""
    contact.save()
    with pytest.raises(CallError, match="e-mail"):
        call_services.send_intervention_quote(intervention=quoted, acting_user=operator)
    assert Quote.objects.get().sent_at is None


def test_technicians_cannot_send_quotes(quoted, technician):
    with pytest.raises(CallError):
        call_services.send_intervention_quote(intervention=quoted, acting_user=technician)


def _plan(intervention, technician, operator):
    """Plan a visit on the planner (the route into *planned*)."""
    import datetime

    from django.utils import timezone

    from planner.services import plan_intervention

    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    return plan_intervention(
        intervention=intervention,
        technician=technician,
        start=start,
        end=start + datetime.timedelta(hours=2),
        acting_user=operator,
        confirm=True,
    )


def test_planning_waits_for_the_acceptance_when_the_type_says_so(
    quoted, operator, technician, client, django_capture_on_commit_callbacks
):
    from planner.services import PlannerError

    quoted.type = make_intervention_type(requires_quote_acceptance=True)
    quoted.technician = technician
    quoted.save()
    with pytest.raises(PlannerError, match="accepted the quote"):
        _plan(quoted, technician, operator)
    quote = _send(quoted, operator, django_capture_on_commit_callbacks)
    with pytest.raises(PlannerError, match="accepted the quote"):
        _plan(quoted, technician, operator)
    quoted.refresh_from_db()
    assert quoted.state == State.QUOTED and not quoted.activities.exists()
    client.post(_path(quote), {"name": "G", "decision": "accept"})
    _plan(quoted, technician, operator)
    quoted.refresh_from_db()
    assert quoted.state == State.PLANNED


def test_a_type_without_the_flag_plans_without_an_answer(quoted, operator, technician):
    quoted.technician = technician
    quoted.save()
    _plan(quoted, technician, operator)
    quoted.refresh_from_db()
    assert quoted.state == State.PLANNED


def test_the_management_page_shows_the_answer(
    quoted, operator, operator_client, client, django_capture_on_commit_callbacks
):
    quote = _send(quoted, operator, django_capture_on_commit_callbacks)
    page = operator_client.get(quoted.get_absolute_url()).content.decode()
    assert 'data-testid="quote-sent"' in page
    client.post(_path(quote), {"name": "Giulia Neri", "decision": "accept"})
    page = operator_client.get(quoted.get_absolute_url()).content.decode()
    assert 'data-testid="quote-accepted"' in page and "Giulia Neri" in page


def test_the_customers_page_runs_a_fixed_number_of_queries(
    quoted, operator, client, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quotes.models import QuoteLine

    quote = _send(quoted, operator, django_capture_on_commit_callbacks)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_path(quote)).status_code == 200
        return len(queries)

    few = count()
    line = quote.lines.first()
    for _ in range(10):
        line.pk = None
        line.save()
    assert QuoteLine.objects.filter(quote=quote).count() > 10
    assert count() == few
