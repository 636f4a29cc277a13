"""The offer's life: draft, cart, terms, send (frozen), revisions, decisions, conversion, orders."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from orders import services
from orders.models import Offer, OfferState, Order, OrderState
from orders.selectors import document_totals
from orders.services import OfferError
from tests.factories import make_contact, make_customer, make_site, make_unit
from tests.orders.factories import (
    make_accepted,
    make_draft,
    make_part,
    make_sent,
    make_setting,
    make_terms,
    make_vat,
)

pytestmark = pytest.mark.django_db


def test_a_draft_gets_a_code_and_the_customer_defaults(operator):
    setting = make_setting(language="en")
    offer = make_draft(operator, **setting)
    year = timezone.localdate().year
    assert offer.code.startswith(f"{year}-") and offer.revision == 0
    assert offer.state == OfferState.DRAFT
    assert offer.billing_customer == setting["customer"]
    assert offer.billing_site == setting["site"]
    assert offer.billing_contact == setting["contact"]
    assert offer.language == "en"
    assert offer.valid_until > timezone.localdate()
    assert [h.to_state for h in offer.history.all()] == ["draft"]
    second = make_draft(operator)
    assert second.code != offer.code


def test_parties_must_belong_to_the_customer(operator):
    setting = make_setting()
    stranger = make_customer()
    foreign_unit = make_unit(make_site(stranger))
    with pytest.raises(OfferError, match="unit"):
        make_draft(operator, **{**setting, "unit": foreign_unit})
    with pytest.raises(OfferError, match="contact"):
        make_draft(operator, **{**setting, "contact": make_contact(stranger)})
    with pytest.raises(OfferError, match="site"):
        make_draft(operator, **{**setting, "site": make_site(stranger)})


def test_technicians_cannot_make_offers(technician):
    with pytest.raises(PermissionDenied):
        make_draft(technician)


def test_the_cart_snapshots_the_part_in_the_customer_language(operator):
    part = make_part(description_it="Filtro", description_en="Filter", list_price=Decimal("12.30"))
    offer = make_draft(operator, language="en")
    line = services.add_line(offer=offer, spare_part=part, acting_user=operator)
    assert (line.description, line.unit_price, line.vat_percent) == ("Filter", Decimal("12.30"), 22)
    services.add_line(offer=offer, spare_part=part, acting_user=operator)  # same part: +1
    line.refresh_from_db()
    assert line.quantity == 2 and offer.lines.count() == 1
    services.update_line(
        line=line,
        quantity=Decimal("3"),
        unit_price=Decimal("10"),
        discount_percent=Decimal("10"),
        acting_user=operator,
    )
    totals = document_totals(offer)
    assert (totals.taxable, totals.vat, totals.total) == (
        Decimal("27.00"),
        Decimal("5.94"),
        Decimal("32.94"),
    )
    part.list_price = Decimal("99")
    part.save()
    assert document_totals(offer).taxable == Decimal("27.00")  # a catalogue change does not leak
    services.remove_line(line=line, acting_user=operator)
    assert not offer.lines.exists()


def test_an_inactive_part_cannot_be_added(operator):
    with pytest.raises(OfferError, match="no longer sold"):
        make_draft(operator, parts=[make_part(is_active=False)])


def test_an_offer_wide_vat_replaces_the_parts_own(operator):
    exempt = make_vat("N3", "0")
    offer = make_draft(operator, parts=[make_part(), make_part()])
    services.update_offer_terms(offer=offer, acting_user=operator, vat_rate=exempt, **make_terms())
    assert set(offer.lines.values_list("vat_percent", flat=True)) == {Decimal("0")}
    services.update_offer_terms(offer=offer, acting_user=operator, vat_rate=None)
    assert set(offer.lines.values_list("vat_percent", flat=True)) == {Decimal("22")}


def test_billing_site_must_belong_to_the_billing_customer(operator):
    offer = make_draft(operator)
    other = make_customer()
    with pytest.raises(OfferError, match="billing site"):
        services.update_offer_terms(offer=offer, acting_user=operator, billing_customer=other)
    services.update_offer_terms(
        offer=offer,
        acting_user=operator,
        billing_customer=other,
        billing_site=make_site(other),
        billing_contact=None,
    )


def test_sending_freezes_the_offer_and_mails_the_contact(
    operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_sent(operator)
    assert offer.state == OfferState.SENT and offer.sent_at
    assert offer.issued_parties["customer"]["name"] == offer.customer.name
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [offer.contact.email]
    for change in (
        lambda: services.add_line(offer=offer, spare_part=make_part(), acting_user=operator),
        lambda: services.update_offer_terms(offer=offer, acting_user=operator, notes="x"),
        lambda: services.remove_line(line=offer.lines.get(), acting_user=operator),
        lambda: services.send_offer(offer=offer, acting_user=operator),
    ):
        with pytest.raises(OfferError):
            change()
    # The customer's name changes later: the issued document keeps the old one.
    name = offer.customer.name
    offer.customer.name = "Renamed S.p.A."
    offer.customer.save()
    offer.refresh_from_db()
    assert offer.issued_parties["customer"]["name"] == name


def test_sending_needs_lines_an_email_and_a_future_validity(operator):
    with pytest.raises(OfferError, match="at least one"):
        services.send_offer(offer=make_draft(operator), acting_user=operator)
    offer = make_draft(operator, parts=[make_part()], **make_setting(email=""))
    with pytest.raises(OfferError, match="no e-mail"):
        services.send_offer(offer=offer, acting_user=operator)
    offer = make_draft(operator, parts=[make_part()])
    services.update_offer_terms(
        offer=offer, acting_user=operator, valid_until=datetime.date(2020, 1, 1)
    )
    with pytest.raises(OfferError, match="validity"):
        services.send_offer(offer=offer, acting_user=operator)
    assert not mail.outbox


def test_a_change_after_sending_is_a_new_revision_with_the_same_code(operator):
    offer = make_sent(operator)
    new = services.revise_offer(offer=offer, acting_user=operator)
    offer.refresh_from_db()
    assert (new.code, new.revision, new.state) == (offer.code, 1, OfferState.DRAFT)
    assert offer.state == OfferState.SUPERSEDED
    assert new.previous_revision == offer
    assert [line.code for line in new.lines.all()] == [line.code for line in offer.lines.all()]
    assert new.issued_parties == {}
    services.add_line(offer=new, spare_part=make_part(), acting_user=operator)
    assert offer.lines.count() == 1 and new.lines.count() == 2
    with pytest.raises(OfferError, match="superseded|revision"):
        services.record_decision(offer=offer, accept=True, name="X", channel="link")
    with pytest.raises(OfferError):
        services.revise_offer(offer=new, acting_user=operator)  # a draft is simply edited


def test_an_operator_records_an_acceptance_by_phone(operator):
    offer = make_accepted(operator)
    assert offer.state == OfferState.ACCEPTED
    assert (offer.decided_by_name, offer.decision_channel) == ("Giulia Neri", "phone")
    last = offer.history.last()
    assert (last.from_state, last.to_state, last.by) == ("sent", "accepted", operator)


def test_a_decision_after_the_validity_date_marks_the_offer_expired(operator):
    offer = make_sent(operator)
    Offer.objects.filter(pk=offer.pk).update(valid_until=datetime.date(2020, 1, 1))
    with pytest.raises(OfferError, match="expired"):
        services.record_decision(offer=offer, accept=True, name="Giulia", channel="link")
    offer.refresh_from_db()
    assert offer.state == OfferState.EXPIRED


def test_conversion_is_refused_before_acceptance(operator):
    draft = make_draft(operator, parts=[make_part()])
    sent = make_sent(operator)
    declined = make_sent(operator)
    services.record_decision(
        offer=declined, accept=False, name="N", channel="paper", acting_user=operator, reason="No"
    )
    for offer in (draft, sent, declined):
        with pytest.raises(OfferError, match="Only an accepted offer"):
            services.convert_to_order(offer=offer, acting_user=operator)
    assert not Order.objects.exists()


def test_an_accepted_offer_becomes_one_order_with_its_code(operator):
    terms = make_terms()
    offer = make_draft(operator, parts=[make_part(), make_part()])
    services.update_offer_terms(offer=offer, acting_user=operator, delivery_days=10, **terms)
    services.send_offer(offer=offer, acting_user=operator)
    services.record_decision(
        offer=offer, accept=True, name="G", channel="paper", acting_user=operator
    )
    # The acceptance made the order; converting finds it (never a second one).
    order = Order.objects.get(offer=offer)
    assert order.code == offer.code and order.state == OrderState.CONFIRMED
    assert order.delivery_days == 10 and order.payment_method == terms["payment_method"]
    assert document_totals(order).total == document_totals(offer).total
    assert order.lines.count() == 2
    assert services.convert_to_order(offer=offer, acting_user=operator) == order
    assert Order.objects.count() == 1


def test_order_states_follow_the_transition_map(operator):
    from django.utils import timezone

    from orders import shipping

    order = services.convert_to_order(offer=make_accepted(operator), acting_user=operator)
    with pytest.raises(OfferError):
        services.set_order_state(order=order, to_state=OrderState.DELIVERED, acting_user=operator)
    # shipped is never a click: it follows the delivery notes (orders.shipping)
    with pytest.raises(OfferError):
        services.set_order_state(order=order, to_state=OrderState.SHIPPED, acting_user=operator)
    shipping.create_shipment(
        order=order,
        quantities={line.pk: line.quantity for line in order.lines.all()},
        date=timezone.localdate(),
        carrier="BRT",
        packages=1,
        acting_user=operator,
    )
    order.refresh_from_db()
    services.set_order_state(order=order, to_state=OrderState.DELIVERED, acting_user=operator)
    with pytest.raises(OfferError):
        services.set_order_state(order=order, to_state=OrderState.CANCELLED, acting_user=operator)
    assert [h.to_state for h in order.history.all()] == ["confirmed", "shipped", "delivered"]


def test_cancel(operator):
    offer = make_sent(operator)
    services.cancel_offer(offer=offer, acting_user=operator)
    assert Offer.objects.get(pk=offer.pk).state == OfferState.CANCELLED
    with pytest.raises(OfferError):
        services.cancel_offer(offer=offer, acting_user=operator)


def test_a_sent_offer_can_be_mailed_again_but_not_a_draft(
    operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_sent(operator)
        services.resend_offer(offer=offer, acting_user=operator)
    assert len(mail.outbox) == 2
    assert offer.history.last().reason.startswith("e-mail sent again")
    with pytest.raises(OfferError):
        services.resend_offer(offer=make_draft(operator), acting_user=operator)
