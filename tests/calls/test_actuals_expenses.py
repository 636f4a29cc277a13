"""Section 4: quoted vs actual, travel expenses and their receipts."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls import services
from calls.models import Expense, State
from calls.services import CallError, actuals
from planner.models import TimeEntry
from tests.calls.factories import make_intervention, plan_with_visit
from tests.factories import make_user
from tests.orders.factories import make_part
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
DAY = datetime.date(2026, 11, 20)
FUTURE = datetime.date(2099, 1, 1)
NINE = Decimal("9")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(name, intervention, *extra):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number, *extra])


def _planned(technician, operator, quoted=True):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    if quoted:
        quote = services.quote_intervention(
            intervention=intervention, price_list=make_price_list(), acting_user=operator
        )
        quote.lines.filter(kind="labour_hour").update(quantity=Decimal("3"))
        quote.lines.filter(kind="km").update(quantity=Decimal("100"))
    plan_with_visit(intervention, operator)
    return intervention


def _hours(intervention, user, kind, hours, day=DAY):
    return TimeEntry.objects.create(
        user=user,
        date=day,
        hours=Decimal(hours),
        kind=kind,
        intervention=intervention,
        created_by=user,
    )


def test_quoted_and_actual_figures(technician, operator):
    intervention = _planned(technician, operator)
    _hours(intervention, technician, "labour", "2.5")
    _hours(intervention, technician, "labour", "1.5", DAY + datetime.timedelta(days=1))
    _hours(intervention, technician, "travel", "1")
    actuals.add_expense(
        intervention=intervention,
        acting_user=technician,
        kind="km",
        date=DAY,
        km=Decimal("120"),
        km_rate=Decimal("0.555"),
    )
    from calls.selectors import comparisons

    rows = {str(r.label): r for r in comparisons(intervention, intervention.quote)}
    assert rows["Labour hours"].quoted == Decimal("3")
    assert rows["Labour hours"].actual == Decimal("4")
    assert rows["Labour hours"].difference == Decimal("1")
    assert rows["Travel hours"].difference == Decimal("0")
    assert rows["Kilometres"].actual == Decimal("120")
    assert rows["Kilometres"].difference == Decimal("20")


def test_km_amount_is_rounded_to_the_cent(technician, operator):
    intervention = _planned(technician, operator, quoted=False)
    expense = actuals.add_expense(
        intervention=intervention,
        acting_user=operator,  # the office sets the rate (a technician cannot)
        kind="km",
        date=DAY,
        km=Decimal("33.3"),
        km_rate=Decimal("0.555"),
    )
    assert expense.amount == Decimal("18.48")  # 18.4815


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "meal", "amount": Decimal("-5")}, "more than 0"),
        ({"kind": "meal", "amount": Decimal("999999")}, "at most 10,000"),
        ({"kind": "km", "km": Decimal("-3"), "km_rate": Decimal("0.5")}, "kilometres"),
        ({"kind": "km", "km": Decimal("90000"), "km_rate": Decimal("0.5")}, "kilometres"),
        ({"kind": "km", "km": Decimal("10"), "km_rate": Decimal("50")}, "rate per km"),
        ({"kind": "toll", "amount": Decimal("5"), "date": FUTURE}, "future"),
    ],
)
def test_absurd_expenses_are_refused(technician, operator, fields, message):
    intervention = _planned(technician, operator, quoted=False)
    fields.setdefault("date", DAY)
    # Only the office sets a rate (a technician's is replaced by settings.KM_RATE).
    acting = operator if "km_rate" in fields and message == "rate per km" else technician
    with pytest.raises(CallError, match=message):
        actuals.add_expense(intervention=intervention, acting_user=acting, **fields)
    assert not Expense.objects.exists()


def test_another_technician_cannot_record(technician, other_technician, operator):
    intervention = _planned(technician, operator, quoted=False)
    with pytest.raises(CallError):
        actuals.add_expense(
            intervention=intervention,
            acting_user=other_technician,
            kind="meal",
            date=DAY,
            amount=Decimal("10"),
        )


def test_an_invoiced_intervention_is_read_only(technician, operator):
    intervention = _planned(technician, operator, quoted=False)
    expense = actuals.add_expense(
        intervention=intervention, acting_user=technician, kind="meal", date=DAY, amount=NINE
    )
    intervention.state = State.INVOICED
    intervention.save()
    with pytest.raises(CallError, match="invoiced"):
        actuals.delete_expense(expense=expense, acting_user=operator)
    with pytest.raises(CallError, match="invoiced"):
        actuals.add_expense(
            intervention=intervention, acting_user=operator, kind="meal", date=DAY, amount=NINE
        )


def _post_expense(client, intervention, receipt):
    return client.post(
        _url("expense_add", intervention),
        {
            "expense-submission_token": str(uuid.uuid4()),
            "expense-kind": "parking",
            "expense-date": "2026-11-20",
            "expense-amount": "4.50",
            "expense-note": "Car park",
            "expense-receipt": receipt,
        },
    )


def test_receipt_of_the_wrong_type_is_refused(client_for, technician, operator):
    intervention = _planned(technician, operator, quoted=False)
    fake = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = _post_expense(client_for(technician), intervention, fake)
    assert response.status_code == 200
    assert "must be a PDF, JPEG or PNG" in response.content.decode()
    assert not Expense.objects.exists()


def test_receipt_too_large_is_refused(client_for, technician, operator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
    intervention = _planned(technician, operator, quoted=False)
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    response = _post_expense(client_for(technician), intervention, big)
    assert "larger than 5 MB" in response.content.decode()
    assert not Expense.objects.exists()


def test_receipt_is_stored_and_served_only_to_allowed_users(
    client_for, technician, other_technician, operator
):
    intervention = _planned(technician, operator, quoted=False)
    response = _post_expense(
        client_for(technician), intervention, SimpleUploadedFile("r.png", PNG, "image/png")
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.amount == Decimal("4.50")
    url = _url("expense_receipt", intervention, expense.pk)
    mine = client_for(technician).get(url)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert b"".join(mine.streaming_content) == PNG
    assert client_for(operator).get(url).status_code == 200
    assert client_for(other_technician).get(url).status_code == 404


def test_the_page_shows_section_4(client_for, technician, operator):
    intervention = _planned(technician, operator)
    _hours(intervention, technician, "labour", "2")
    page = client_for(technician).get(_url("manage", intervention)).content.decode()
    assert reverse("planner:intervention_hours", args=[intervention.pk]) in page
    assert 'data-testid="comparison"' in page
    assert 'data-testid="add-expense"' in page


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_management_page_queries_do_not_grow_with_actuals(operator_client, technician, operator):
    intervention = _planned(technician, operator)
    url = _url("manage", intervention)
    small = _count(operator_client, url)
    for n in range(8):
        actuals.add_expense(
            intervention=intervention,
            acting_user=technician,
            kind="meal",
            date=DAY,
            amount=Decimal(10 + n),
            receipt=SimpleUploadedFile("r.pdf", PDF, "application/pdf"),
        )
        _hours(intervention, technician, "labour", "1", DAY - datetime.timedelta(days=n))
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            spare_part=make_part(),
            quantity=Decimal("1"),
        )
    assert _count(operator_client, url) == small


def test_management_page_queries_for_the_technician_do_not_grow(client_for, technician, operator):
    intervention = _planned(technician, operator)
    client = client_for(technician)
    url = _url("manage", intervention)
    small = _count(client, url)
    for n in range(6):
        actuals.add_expense(
            intervention=intervention,
            acting_user=technician,
            kind="toll",
            date=DAY,
            amount=Decimal(3 + n),
        )
        actuals.add_part(
            intervention=intervention,
            acting_user=technician,
            spare_part=make_part(),
            quantity=Decimal("2"),
        )
    assert _count(client, url) == small


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("invoice.html", PNG, ".png"),  # a real PNG named .html
        ("scan.svg", PDF, ".pdf"),
        ("../../../etc/passwd.jpg", b"\xff\xd8\xff\xe0 jpeg", ".jpg"),
        ("photo.PNG", PNG, ".png"),
        ("noextension", PDF, ".pdf"),
    ],
)
def test_a_receipt_is_stored_under_a_generated_name_with_its_detected_type(
    client_for, technician, operator, name, content, extension
):
    intervention = _planned(technician, operator, quoted=False)
    response = _post_expense(
        client_for(technician), intervention, SimpleUploadedFile(name, content)
    )
    assert response.status_code == 302
    stored = Expense.objects.get().receipt.name
    assert re.fullmatch(r"receipts/\d{4}/\d{2}/[0-9a-f]{32}" + re.escape(extension), stored)


def test_a_request_larger_than_the_portal_accepts_gets_a_clear_413(
    client_for, technician, operator, settings
):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    intervention = _planned(technician, operator, quoted=False)
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (2 * 1024 * 1024), content_type="image/png")
    response = _post_expense(client_for(technician), intervention, big)
    assert response.status_code == 413
    assert "larger than the portal accepts" in response.content.decode()
    assert not Expense.objects.exists()
    # The same in the user's language, and for plain forms past Django's own limit.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    italian = client_for(make_user("rita", "technician", language="it"))
    refused = italian.post(reverse("accounts:set_language"), {"next": "x" * 4000})
    assert refused.status_code == 413 and "Troppi dati" in refused.content.decode()
