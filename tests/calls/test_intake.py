"""Intake that helps: a contact (or why none), the unit's open calls, the warranty type
suggested, a customer's only site chosen, and a call search that says why it cannot match."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from calls import services
from calls.models import Call, State
from tests.calls.factories import first_intervention, make_call, make_intervention_type
from tests.factories import make_contact, make_customer, make_site, make_unit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _post(client, unit, **extra):
    data = {
        "submission_token": str(uuid.uuid4()),
        "customer": unit.site.customer_id,
        "unit": unit.pk,
        "channel": "phone",
        "priority": "normal",
        "received_at": "2026-11-20T09:30",
        "description": "Oil on the floor",
        **extra,
    }
    return client.post(reverse("calls:call_create"), data)


class TestContact:
    def test_without_contact_nor_reason_the_form_says_so_and_keeps_the_text(self, operator_client):
        unit = make_unit()
        response = _post(operator_client, unit)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Choose the contact, or say below why there is none." in body
        assert "Oil on the floor" in body
        assert not Call.objects.exists()

    def test_a_reason_instead_of_the_contact_is_kept_and_shown(self, operator_client):
        unit = make_unit()
        response = _post(operator_client, unit, no_contact_reason="Anonymous caller")
        call = Call.objects.get()
        assert response.status_code == 302
        assert call.contact is None and call.no_contact_reason == "Anonymous caller"
        body = operator_client.get(response["Location"]).content.decode()
        assert "Anonymous caller" in body

    def test_with_a_contact_the_reason_is_dropped(self, operator_client):
        unit = make_unit()
        contact = make_contact(unit.site.customer)
        _post(operator_client, unit, contact=contact.pk, no_contact_reason="typed anyway")
        call = Call.objects.get()
        assert call.contact == contact and call.no_contact_reason == ""


class TestOpenCallWarning:
    def test_the_units_open_call_is_shown_with_its_link_and_does_not_block(
        self, operator_client, operator
    ):
        unit = make_unit()
        open_call = make_call(by=operator, unit=unit)
        closed = make_call(by=operator, unit=unit)
        services.resolve_by_phone(call=closed, acting_user=operator, solution="Reset.")
        response = operator_client.get(
            reverse("calls:customer_fields"),
            {"customer": unit.site.customer_id, "unit": unit.pk},
            **HTMX,
        )
        body = response.content.decode()
        assert 'data-testid="open-call-warning"' in body
        assert open_call.get_absolute_url() in body and open_call.code in body
        assert closed.code not in body
        # a warning, not a refusal
        contact = make_contact(unit.site.customer)
        assert _post(operator_client, unit, contact=contact.pk).status_code == 302
        assert Call.objects.filter(unit=unit).count() == 3

    def test_no_warning_for_a_unit_without_open_calls(self, operator_client):
        unit = make_unit()
        response = operator_client.get(reverse("calls:call_create"), {"unit": unit.pk})
        assert 'data-testid="open-call-warning"' not in response.content.decode()

    def test_choosing_the_unit_refreshes_the_customers_fields(self, operator_client):
        unit = make_unit()
        response = operator_client.get(reverse("calls:call_create"), {"unit": unit.pk})
        select = response.context["form"].fields["unit"].widget.attrs
        assert select["hx-get"] == reverse("calls:customer_fields")


class TestOnlySite:
    def test_a_customers_only_site_is_chosen(self, operator_client):
        site = make_site(make_customer())
        response = operator_client.get(
            reverse("calls:customer_fields"), {"customer": site.customer_id}, **HTMX
        )
        assert response.context["form"].initial["site"] == site.pk

    def test_with_two_sites_the_operator_chooses(self, operator_client):
        customer = make_customer()
        make_site(customer)
        make_site(customer)
        response = operator_client.get(
            reverse("calls:customer_fields"), {"customer": customer.pk}, **HTMX
        )
        assert "site" not in response.context["form"].initial


class TestWarrantySuggestion:
    def test_under_warranty_the_warranty_type_is_suggested(self, operator_client):
        make_intervention_type(name_en="Repair")
        warranty = make_intervention_type(name_en="Warranty repair", is_warranty=True)
        call = make_call(unit=make_unit(warranty_end=timezone.localdate()))
        response = operator_client.get(call.get_absolute_url(), follow=True)
        form = response.context["intervention_form"]
        assert form.initial["type"] == warranty.pk
        assert 'data-testid="warranty-suggested"' in response.content.decode()

    def test_out_of_warranty_nothing_is_suggested(self, operator_client):
        make_intervention_type(name_en="Warranty repair", is_warranty=True)
        expired = timezone.localdate() - datetime.timedelta(days=1)
        call = make_call(unit=make_unit(warranty_end=expired))
        response = operator_client.get(call.get_absolute_url(), follow=True)
        assert response.context["intervention_form"].initial["type"] is None
        assert 'data-testid="warranty-suggested"' not in response.content.decode()

    def test_a_chosen_type_is_never_replaced(self, operator_client, operator):
        make_intervention_type(name_en="Warranty repair", is_warranty=True)
        repair = make_intervention_type(name_en="Repair")
        call = make_call(by=operator)
        services.fill_intervention_section(
            intervention=first_intervention(call),
            acting_user=operator,
            version=None,
            type=repair,
            requested_date=timezone.localdate(),
        )
        response = operator_client.get(call.get_absolute_url(), follow=True)
        assert response.context["intervention_form"].initial["type"] == repair.pk
        assert first_intervention(call).state == State.EXPECTED


class TestSearchSaysWhy:
    @pytest.mark.parametrize(
        ("language", "message"),
        [
            ("en", "The end date comes before the start date."),
            ("it", "La data finale precede quella iniziale."),
        ],
    )
    def test_a_reversed_range_is_explained(self, client_for, operator, language, message):
        operator.language = language
        operator.save(update_fields=["language"])
        client = client_for(operator)
        with translation.override(language):
            response = client.get(
                reverse("calls:call_search"),
                {"date_from": "2026-02-01", "date_to": "2026-01-01"},
                HTTP_ACCEPT_LANGUAGE=language,
            )
        assert message in response.content.decode()

    def test_a_start_after_today_is_explained(self, operator_client):
        make_call()
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = operator_client.get(reverse("calls:call_search"), {"date_from": tomorrow})
        assert "No call can have been received after today." in response.content.decode()
