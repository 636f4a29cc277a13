"""The customer's acceptance link: valid, expired, tampered, used twice, superseded."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from orders import services
from orders.links import SALT, make_token
from orders.models import OfferState, Order
from service_portal.roles import Role
from tests.factories import make_user
from tests.orders.factories import make_draft, make_part, make_sent

pytestmark = pytest.mark.django_db


def _link_path(message) -> str:
    url = re.search(r"https?://\S+/orders/o/\S+/", message.body).group(0)
    return url[url.index("/orders/o/") :]


@pytest.fixture
def sent(operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_sent(operator, parts=[make_part(description_it="Filtro olio")])
    return offer


def test_the_link_in_the_email_shows_the_offer_and_accepts_it(sent, client):
    path = _link_path(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert sent.code in body and "Filtro olio" in body
    assert "Accetta" in body  # the customer's language (Italian)
    response = client.post(path, {"name": "Giulia Neri", "decision": "accept"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.state == OfferState.ACCEPTED
    assert (sent.decided_by_name, sent.decision_channel) == ("Giulia Neri", "link")
    last = sent.history.last()
    assert (last.by, last.by_name) == (None, "Giulia Neri")
    assert "da Giulia Neri. Grazie!" in client.get(path).content.decode()


def test_the_customer_declines_with_a_reason_and_the_office_is_told(
    sent, client, operator, django_capture_on_commit_callbacks
):
    path = reverse("orders:public_offer", args=[make_token(sent.pk)])
    response = client.post(path, {"name": "G", "decision": "decline", "reason": "  "})
    assert response.status_code == 200 and "perché" in response.content.decode()
    sent.refresh_from_db()
    assert sent.state == OfferState.SENT  # no reason, no refusal recorded
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {"name": "G", "decision": "decline", "reason": "Too expensive"})
    sent.refresh_from_db()
    assert (sent.state, sent.decision_reason) == (OfferState.DECLINED, "Too expensive")
    assert not Order.objects.exists()
    (notice,) = mail.outbox
    assert notice.to == [operator.email]
    assert "Too expensive" in notice.body and sent.code in notice.subject


def test_acceptance_by_link_creates_the_order_at_once_and_tells_the_office(
    sent, client, operator, administrator, django_capture_on_commit_callbacks
):
    other_operator = make_user("op2", Role.OPERATOR)
    mail.outbox.clear()
    path = reverse("orders:public_offer", args=[make_token(sent.pk)])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {"name": "Giulia Neri", "decision": "accept"})
    order = Order.objects.get()
    assert order.offer == sent and order.code == sent.code
    assert [line.code for line in order.lines.all()] == [line.code for line in sent.lines.all()]
    assert order.created_by == operator  # the offer's author
    assert order.history.get().by_name == "Giulia Neri"
    # The author and every operator, once each (an administrator who is not the author: no);
    # the customer's contact receives the order confirmation with its PDF.
    buyer = sent.contact.email
    office = [m for m in mail.outbox if m.to[0] != buyer]
    assert sorted(m.to[0] for m in office) == sorted([operator.email, other_operator.email])
    assert all(order.get_absolute_url() in m.body for m in office)
    (confirmation,) = [m for m in mail.outbox if m.to[0] == buyer]
    assert confirmation.attachments[0][2] == "application/pdf"


def test_a_link_used_twice_cannot_change_the_decision(sent, client):
    path = reverse("orders:public_offer", args=[make_token(sent.pk)])
    client.post(path, {"name": "Giulia", "decision": "accept"})
    response = client.post(path, {"name": "Someone else", "decision": "decline"})
    assert response.status_code == 200
    assert "già accettata" in response.content.decode()
    sent.refresh_from_db()
    assert (sent.state, sent.decided_by_name) == (OfferState.ACCEPTED, "Giulia")
    assert sent.history.filter(to_state=OfferState.ACCEPTED).count() == 1


def test_a_name_is_required(sent, client):
    path = reverse("orders:public_offer", args=[make_token(sent.pk)])
    response = client.post(path, {"name": "  ", "decision": "accept"})
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.state == OfferState.SENT


def test_a_tampered_link_is_refused(sent, client):
    token = make_token(sent.pk)
    other = make_token(sent.pk + 1)
    forged = f"{sent.pk + 1}:{token.split(':', 1)[1]}"  # another id with this signature
    for bad in (forged, token[:-2] + "xx", "nonsense", other.split(":")[0]):
        response = client.get(reverse("orders:public_offer", args=[bad]))
        assert response.status_code == 404, bad
        response = client.post(
            reverse("orders:public_offer", args=[bad]), {"name": "X", "decision": "accept"}
        )
        assert response.status_code == 404
    sent.refresh_from_db()
    assert sent.state == OfferState.SENT


def test_a_token_signed_for_something_else_is_refused(sent, client):
    token = signing.TimestampSigner(salt="another-purpose").sign(str(sent.pk))
    assert client.get(reverse("orders:public_offer", args=[token])).status_code == 404
    assert SALT != "another-purpose"


def test_an_expired_link_is_refused(sent, client, settings, monkeypatch):
    token = make_token(sent.pk)
    settings.OFFER_LINK_DAYS = 1
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 2 * 24 * 3600)
    response = client.post(
        reverse("orders:public_offer", args=[token]), {"name": "G", "decision": "accept"}
    )
    assert response.status_code == 410
    assert "scaduto" in response.content.decode() or "expired" in response.content.decode()
    sent.refresh_from_db()
    assert sent.state == OfferState.SENT


def test_a_superseded_revision_cannot_be_accepted(sent, client, operator):
    services.revise_offer(offer=sent, acting_user=operator)
    path = reverse("orders:public_offer", args=[make_token(sent.pk)])
    response = client.post(path, {"name": "G", "decision": "accept"})
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.state == OfferState.SUPERSEDED


def test_a_draft_has_no_public_page(operator, client):
    draft = make_draft(operator, parts=[make_part()])
    assert (
        client.get(reverse("orders:public_offer", args=[make_token(draft.pk)])).status_code == 404
    )
