"""The expenses report: what each technician is reimbursed in a month (kilometres at the
technician's rate, the meal too), apart from the customer's invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from calls.models import Expense, ExpenseKind
from tests.calls.factories import make_call
from tests.downloads import csv_rows, workbook
from tests.factories import make_user
from tests.stacked_tables import labelled_rows

pytestmark = pytest.mark.django_db

NOVEMBER = "2026-11"


def _expenses(technician, *items):
    """(kind, day, amount or km) expenses on a new intervention of ``technician``."""
    intervention = make_call().interventions.get(number=1)
    intervention.technician = technician
    intervention.save()
    for kind, day, value in items:
        fields = {"amount": Decimal(value)}
        if kind == ExpenseKind.KM:
            km = Decimal(value)
            fields = {"km": km, "km_rate": Decimal("0.55"), "amount": km * Decimal("0.55")}
        Expense.objects.create(
            intervention=intervention, kind=kind, date=day, created_by=technician, **fields
        )
    return intervention


@pytest.fixture
def month():
    anna = make_user("report-anna", Role.TECHNICIAN, first_name="Anna", last_name="Bruni")
    carlo = make_user("report-carlo", Role.TECHNICIAN, first_name="Carlo", last_name="Conti")
    day = datetime.date(2026, 11, 20)
    _expenses(
        anna,
        (ExpenseKind.KM, day, "100"),  # 100 km x 0.55 = 55.00 reimbursed (billed at 0.58)
        (ExpenseKind.MEAL, day, "15.50"),  # reimbursed, never billed
        (ExpenseKind.TOLL, day, "8.40"),
    )
    _expenses(carlo, (ExpenseKind.LODGING, day, "90.00"))
    _expenses(carlo, (ExpenseKind.PARKING, datetime.date(2026, 12, 1), "4.00"))  # December
    return anna, carlo


def test_the_report_totals_each_technicians_reimbursement(admin_client_, month):
    page = admin_client_.get(reverse("invoicing:expenses_report"), {"month": NOVEMBER})
    assert page.status_code == 200
    groups = page.context["groups"]
    assert [str(g.technician) for g in groups] == ["Anna Bruni", "Carlo Conti"]
    assert [g.total for g in groups] == [Decimal("78.90"), Decimal("90.00")]  # 55 + 15.50 + 8.40
    assert page.context["total"] == Decimal("168.90")
    # on a phone each expense is a card whose values are named by their columns
    assert labelled_rows(page.content.decode()) == sum(len(g.rows) for g in groups)
    meal = next(r for r in groups[0].rows if r.expense.kind == ExpenseKind.MEAL)
    assert meal.billed is False  # the lunch is the technician's, not the customer's
    assert all(r.billed for r in groups[0].rows if r.expense.kind != ExpenseKind.MEAL)


def test_one_technician_and_the_downloads(admin_client_, month):
    anna, _carlo = month
    query = {"month": NOVEMBER, "technician": anna.pk}
    page = admin_client_.get(reverse("invoicing:expenses_report"), query)
    assert [g.total for g in page.context["groups"]] == [Decimal("78.90")]
    rows = csv_rows(admin_client_.get(reverse("invoicing:expenses_csv"), query))
    assert rows[0][:3] == ["Technician", "Date", "Intervention"]
    assert [(r[4], r[6], r[7]) for r in rows[1:]] == [
        ("Kilometres", "55.00", "yes"),
        ("Meals", "15.50", "no"),
        ("Tolls", "8.40", "yes"),
    ]
    sheet = workbook(admin_client_.get(reverse("invoicing:expenses_xlsx"), query)).active
    assert sheet.max_row == 4


def test_a_wrong_month_is_an_error_on_the_form(admin_client_, month):
    page = admin_client_.get(reverse("invoicing:expenses_report"), {"month": "2026-13"})
    assert page.status_code == 200 and page.context["form"].errors["month"]
    assert page.context["groups"] == []
    assert admin_client_.get(reverse("invoicing:expenses_csv"), {"month": "x"}).status_code == 302


def test_the_report_reads_a_fixed_number_of_queries(admin_client_, month):
    url = f"{reverse('invoicing:expenses_report')}?month={NOVEMBER}"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client_.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(5):
        technician = make_user(f"report-tech{n}", Role.TECHNICIAN)
        _expenses(technician, (ExpenseKind.TOLL, datetime.date(2026, 11, 2), "3.00"))
    assert count() == few
