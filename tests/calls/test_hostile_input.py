"""Odd input on the calls pages: never a 500, nothing half-saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from calls.models import Call
from tests.calls.factories import first_intervention, make_call

pytestmark = pytest.mark.django_db

ODD = ["\x00", "²", "٣", "'; DROP TABLE calls_call; --", "x" * 5000, "%", "_", "-1", "9" * 30]


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_search_export_and_pickers_take_anything(operator_client, value):
    call = make_call()
    for param in (
        "date_from",
        "call_code",
        "intervention_code",
        "status",
        "intervention_type",
        "customer",
        "technician",
        "serial_number",
        "sort",
    ):
        response = operator_client.get("/calls/", {param: value})
        assert response.status_code == 200, param
        response = operator_client.get(reverse("calls:export_csv"), {param: value})
        assert response.status_code == 200, param
        b"".join(response.streaming_content)
    assert operator_client.get("/calls/", {"page": value}).status_code == 200  # nearest page
    for name, param in (
        ("calls:customer_picker", "q"),
        ("calls:customer_fields", "customer"),
        ("calls:customer_fields", "unit"),
        ("calls:call_create", "unit"),
        ("calls:call_create", "customer"),
    ):
        assert operator_client.get(reverse(name), {param: value}).status_code == 200, name
    response = operator_client.post(
        reverse("calls:call_create"),
        {"customer": value, "site": value, "unit": value, "description": value},
    )
    assert response.status_code == 200
    intervention = first_intervention(call)
    args = [call.pk, intervention.number]
    for name, data in (
        ("calls:intervention_update", {"intervention-type": value, "intervention-version": value}),
        ("calls:call_update", {"call-site": value, "call-description": value}),
        ("calls:note_add", {"note-kind": value, "note-text": value}),
        ("calls:transition", {"to_state": value, "reason": value}),
    ):
        response = operator_client.post(reverse(name, args=args), data)
        assert response.status_code in (200, 302), name
    assert Call.objects.count() == 1
