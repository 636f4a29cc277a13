"""A double-submitted create form creates one record, also when both requests arrive together."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from customers.models import Customer


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_of_one_form_create_one_record(operator):
    token = str(uuid.uuid4())
    data = {"name": "Race S.r.l.", "country": "IT", "language": "it", "submission_token": token}
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def submit():
        try:
            client = Client()
            client.force_login(operator)
            barrier.wait()
            statuses.append(client.post(reverse("customers:customer_create"), data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302, 302, 302]
    assert Customer.objects.filter(name="Race S.r.l.").count() == 1
