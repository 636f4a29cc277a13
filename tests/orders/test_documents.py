"""The offer PDF (read back with pypdf) and the e-mail that carries it."""

from __future__ import annotations

import email
import io
import socket
from decimal import Decimal
from email import policy

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from customers.models import Customer
from orders import services
from orders.documents import offer_pdf
from orders.models import Offer
from orders.selectors import get_offer_document_for
from tests.factories import make_contact, make_customer, make_site
from tests.orders.factories import make_draft, make_part, make_sent, make_setting, make_terms

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def priced_offer(operator):
    part = make_part(
        "FLT-OIL-30",
        description_it="Filtro olio compressore",
        description_en="Compressor oil filter",
        list_price=Decimal("1234.56"),
    )
    offer = make_draft(operator, parts=[part], language="it")
    services.update_offer_terms(offer=offer, acting_user=operator, delivery_days=7, **make_terms())
    offer.refresh_from_db()
    return offer


def test_the_pdf_with_prices(priced_offer):
    text = _text(offer_pdf(priced_offer))
    assert priced_offer.code in text
    assert "Filtro olio compressore" in text
    assert "1.234,56\xa0€" in text  # unit price, Italian format
    assert "1.506,16\xa0€" in text  # total with VAT 22%
    assert "Offerta ricambi" in text and "Bonifico bancario" in text and "7 giorni" in text
    assert priced_offer.customer.name in text


def test_the_pdf_without_prices_has_no_amounts(priced_offer, operator):
    services.update_offer_terms(offer=priced_offer, acting_user=operator, show_prices=False)
    priced_offer.refresh_from_db()
    text = _text(offer_pdf(priced_offer))
    assert "Filtro olio compressore" in text and "FLT-OIL-30" in text
    for amount in ("1.234,56", "1.506,16", "271,60", "Totale", "Prezzo unitario"):
        assert amount not in text


def test_the_preview_is_inline_and_can_override_the_prices_flag(priced_offer, operator_client):
    url = reverse("orders:offer_pdf", args=[priced_offer.pk])
    response = operator_client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "1.234,56" in _text(response.content)
    assert "1.234,56" not in _text(operator_client.get(url + "?prices=0").content)


@pytest.mark.parametrize(
    "language, subject, body, product",
    [
        ("it", "Offerta", "in allegato", "Filtro olio compressore"),
        ("en", "Offer", "please find attached", "Compressor oil filter"),
    ],
)
def test_the_email_is_in_the_customer_language_with_the_pdf(
    operator, django_capture_on_commit_callbacks, language, subject, body, product
):
    part = make_part(
        description_it="Filtro olio compressore", description_en="Compressor oil filter"
    )
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_sent(operator, parts=[part], language=language)
    (message,) = mail.outbox
    assert message.subject.startswith(f"{subject} {offer.code}")
    assert body in message.body
    assert reverse("orders:public_offer", args=["x"]).rsplit("x", 1)[0] in message.body
    assert message.extra_headers["Content-Language"] == language
    ((filename, content, mimetype),) = message.attachments
    assert filename == f"offer-{offer.code}-r0.pdf" and mimetype == "application/pdf"
    assert product in _text(content)


def test_nothing_is_sent_when_the_transaction_rolls_back(
    operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_sent(operator)
    assert len(callbacks) == 1 and not mail.outbox


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_offer_goes_through_a_real_smtp_server(
    operator, settings, django_capture_on_commit_callbacks
):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            received.append(envelope)
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        part = make_part(description_it="Separatore aria/olio")
        with django_capture_on_commit_callbacks(execute=True):
            offer = make_sent(operator, parts=[part], language="it")
    finally:
        controller.stop()
    (envelope,) = received
    assert envelope.rcpt_tos == [offer.contact.email]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"].startswith(f"Offerta {offer.code}")
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert "Separatore aria/olio" in _text(attachment.get_content())


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pdf_of_a_draft_reads_its_parties_in_a_fixed_number_of_small_queries(
    operator, operator_client
):
    # with and without the optional unit, billing site and billing contact: the same queries
    bare_setting = make_setting()
    bare_setting["unit"] = None
    bare = make_draft(operator, parts=[make_part("P-1")], **bare_setting)
    full = make_draft(operator, parts=[make_part("P-2"), make_part("P-3")])
    holding = make_customer(name="Holding Verdi S.p.A.")
    billing_site = make_site(holding, name="Sede amministrativa")
    Offer.objects.filter(pk=full.pk).update(
        billing_customer=holding,
        billing_site=billing_site,
        billing_contact=make_contact(holding, site=billing_site, name="Paolo Conti"),
    )
    with CaptureQueriesContext(connection) as ctx:
        pdf = offer_pdf(get_offer_document_for(operator, full.pk))
    # the offer with its terms; customers, sites, contacts, the unit; the lines
    assert len(ctx.captured_queries) == 6
    assert all(query["sql"].count(" JOIN ") <= 3 for query in ctx.captured_queries)
    text = _text(pdf)
    assert "Sede amministrativa" in text and "Paolo Conti" in text
    assert "Holding Verdi" in text and full.customer.name in text
    assert full.unit.serial_number in text
    url = reverse("orders:offer_pdf", args=[bare.pk])
    assert _count(operator_client, url) == _count(
        operator_client, reverse("orders:offer_pdf", args=[full.pk])
    )
    assert bare.customer.name in _text(operator_client.get(url).content)


def test_the_pdf_of_a_sent_offer_prints_the_parties_it_was_sent_with(operator):
    offer = make_sent(operator)
    Customer.objects.filter(pk=offer.customer_id).update(name="Renamed later S.p.A.")
    with CaptureQueriesContext(connection) as ctx:
        text = _text(offer_pdf(get_offer_document_for(operator, offer.pk)))
    assert len(ctx.captured_queries) == 2  # the offer with its terms, the lines
    assert offer.customer.name in text and "Renamed later" not in text


def test_the_pdf_is_refused_to_technicians_and_unknown_offers(
    operator, operator_client, technician_client
):
    offer = make_draft(operator, parts=[make_part()])
    assert technician_client.get(reverse("orders:offer_pdf", args=[offer.pk])).status_code == 403
    assert (
        operator_client.get(reverse("orders:offer_pdf", args=[offer.pk + 999])).status_code == 404
    )
