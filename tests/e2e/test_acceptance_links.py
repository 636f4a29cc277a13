"""The customer answers through the link in the e-mail, in Italian and in English: an accepted
offer becomes an order at once and the office hears of it by e-mail (a real SMTP server); a
quote sent from the management page is accepted and the page shows who accepted it when."""

from __future__ import annotations

import email
import re
from decimal import Decimal
from email import policy

import pytest

from calls import services as call_services
from calls.models import State
from orders import services as order_services
from orders.models import Order
from quotes.models import QuoteState
from tests.calls.factories import make_intervention
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, t
from tests.orders.factories import make_part
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db(transaction=True)
LANGUAGES = ["it", "en"]


def _message(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def _link(envelope, prefix: str) -> str:
    body = _message(envelope).get_body(("plain",)).get_content()
    url = re.search(rf"https?://\S+{prefix}\S+/", body).group(0)
    return url[url.index(prefix) :]


def _customer_page(browser, live_server, language):
    context = browser.new_context(base_url=live_server.url, locale=language)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _intervention(operator, language):
    intervention = make_intervention(State.EXPECTED)
    customer = intervention.call.customer
    customer.language = language
    customer.save()
    operator.language = language
    operator.save()
    return intervention


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_offer_accepted_by_link_becomes_an_order_and_the_office_is_told(
    language, page, login, operator, browser, live_server, smtp_server
):
    intervention = _intervention(operator, language)
    login(operator.username, PASSWORD)
    page.wait_for_selector("nav")
    # The offer is made from the call: linked to it.
    page.goto(intervention.get_absolute_url())
    page.click("[data-testid=create-offer]")
    page.wait_for_url(re.compile(r"/orders/offers/\d+/cart/"))
    offer = intervention.offer_links.get().offer
    order_services.add_line(
        offer=offer,
        spare_part=make_part("FLT-OIL-30", list_price=Decimal("38.50")),
        quantity=Decimal("2"),
        acting_user=operator,
    )
    order_services.send_offer(offer=offer, acting_user=operator)
    (sent,) = smtp_server
    assert sent.rcpt_tos == [intervention.call.contact.email]

    context, customer = _customer_page(browser, live_server, language)
    customer.goto(_link(sent, "/orders/o/"))
    customer.wait_for_selector("text=FLT-OIL-30")
    customer.fill("input[name=name]", "Giulia Neri")
    customer.get_by_role("button", name=t("Accept the offer", language)).click()
    customer.wait_for_selector("[data-testid=decision]:has-text('Giulia Neri')")
    screenshot(customer, "offer-accepted-by-link", language)
    context.close()

    order = Order.objects.get(offer=offer)
    assert order.code == offer.code and order.lines.count() == 1
    notices = [e for e in smtp_server[1:] if e.rcpt_tos == [operator.email]]
    assert len(notices) == 1
    assert order.code in _message(notices[0]).get_body(("plain",)).get_content()

    # The office: the dashboard lists the answer, the call shows the offer and its order.
    page.goto("/")
    page.wait_for_selector(f"[data-testid=offer-answer]:has-text('{offer.code}')")
    page.goto(intervention.get_absolute_url())
    page.wait_for_selector(f"[data-testid=call-order]:has-text('{order.code}')")
    screenshot(page, "call-with-accepted-offer", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_quote_sent_from_the_call_is_accepted_by_link(
    language, page, login, operator, browser, live_server, smtp_server
):
    intervention = _intervention(operator, language)
    call_services.quote_intervention(
        intervention=intervention, price_list=make_price_list(), acting_user=operator
    )
    page.on("dialog", lambda dialog: dialog.accept())
    login(operator.username, PASSWORD)
    page.wait_for_selector("nav")
    page.goto(intervention.get_absolute_url())
    page.click("[data-testid=send-quote]")
    page.wait_for_selector("[data-testid=quote-sent]")
    (sent,) = smtp_server
    message = _message(sent)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"

    context, customer = _customer_page(browser, live_server, language)
    customer.goto(_link(sent, "/quotes/q/"))
    customer.wait_for_selector("[data-testid=quote-total]")
    customer.fill("input[name=name]", "Giulia Neri")
    customer.click("[data-testid=accept-quote]")
    customer.wait_for_selector("[data-testid=decision]:has-text('Giulia Neri')")
    # The same link again: the answer already given, no form.
    customer.reload()
    assert customer.locator("[data-testid=accept-quote]").count() == 0
    screenshot(customer, "quote-accepted-by-link", language)
    context.close()

    intervention.refresh_from_db()
    assert intervention.quote.state == QuoteState.ACCEPTED
    page.reload()
    page.wait_for_selector("[data-testid=quote-accepted]:has-text('Giulia Neri')")
    screenshot(page, "call-with-accepted-quote", language)
