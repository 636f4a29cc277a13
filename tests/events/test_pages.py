"""The administrators' webhook pages: create an endpoint, read its delivery log, replay."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Delivery, DeliveryAttempt, DeliveryState, WebhookEndpoint
from events.outbox import emit
from tests.factories import make_customer


def test_an_administrator_adds_an_endpoint_and_a_bad_address_keeps_the_form(admin_client_):
    url = reverse("events:endpoint_create")
    bad = admin_client_.post(url, {"name": "ERP", "url": "ftp://erp.example/hook"})
    assert bad.status_code == 400 and not WebhookEndpoint.objects.exists()
    assert 'value="ERP"' in bad.content.decode()
    good = admin_client_.post(
        url,
        {"name": "ERP", "url": "https://erp.example/hook", "event_types": ["order.accepted"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert good["Location"] == reverse("events:endpoint_detail", args=[endpoint.pk])
    assert endpoint.event_types == ["order.accepted"] and len(endpoint.secret) >= 40
    page = admin_client_.get(good["Location"]).content.decode()
    assert endpoint.secret in page


def _log(endpoint, count):
    customer = make_customer()
    for n in range(count):
        with transaction.atomic():
            emit("order.changed", customer, {"n": n})
    for delivery in Delivery.objects.filter(endpoint=endpoint):
        DeliveryAttempt.objects.create(delivery=delivery, status_code=500, error="HTTP 500")
        DeliveryAttempt.objects.create(delivery=delivery, status_code=204)


def test_the_delivery_log_runs_the_same_queries_whatever_its_length(
    admin_client_, django_assert_num_queries
):
    endpoint = WebhookEndpoint.objects.create(name="ERP", url="http://127.0.0.1:9/h")
    url = reverse("events:endpoint_detail", args=[endpoint.pk])
    _log(endpoint, 1)
    with CaptureQueriesContext(connection) as one:
        admin_client_.get(url)
    _log(endpoint, 6)
    with django_assert_num_queries(len(one)):
        page = admin_client_.get(url)
    assert page.content.decode().count('data-testid="delivery"') == 7
    list_url = reverse("events:endpoint_list")
    with CaptureQueriesContext(connection) as listed:
        admin_client_.get(list_url)
    WebhookEndpoint.objects.create(name="More", url="http://127.0.0.1:9/m")
    with django_assert_num_queries(len(listed)):
        admin_client_.get(list_url)


def test_replay_from_the_page_queues_the_event_again(admin_client_):
    endpoint = WebhookEndpoint.objects.create(name="ERP", url="http://127.0.0.1:9/h")
    _log(endpoint, 1)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.DELIVERED)
    url = reverse("events:delivery_replay", args=[endpoint.pk, delivery.pk])
    admin_client_.post(url)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.replay
    other = WebhookEndpoint.objects.create(name="Other", url="http://127.0.0.1:9/o")
    wrong = reverse("events:delivery_replay", args=[other.pk, delivery.pk])
    assert admin_client_.post(wrong).status_code == 404
