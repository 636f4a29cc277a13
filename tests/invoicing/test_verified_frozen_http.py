"""Issue 17, finding 2, end to end: after final verification nobody changes what is billed.

The probe: the administrator verified an intervention, then the technician posted a €9,999
expense, 5,000 km at €10/km and 21 hours (all accepted), and the invoice issued afterwards
billed them. Here every route that changes hours, expenses or parts is tried through the HTTP
stack (portal pages, htmx sections, the planner, the API with a token, the Django admin) by
every role; each is refused and the invoice issued afterwards equals the verified figures.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Role
from api.models import Scope
from api.services import create_token
from calls.models import Expense, Intervention, PartUsed, State
from invoicing.models import Invoice, InvoiceState, VerifiedFigures
from planner.models import TimeEntry
from tests.factories import make_unit, make_user
from tests.invoicing.factories import DAY, make_done_intervention
from tests.orders.factories import make_part

pytestmark = pytest.mark.django_db


def _calls_url(name, intervention, *extra):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number, *extra])


def _actuals(intervention) -> tuple:
    """Everything billable the technician records, as comparable values."""
    return (
        sorted(TimeEntry.objects.filter(intervention=intervention).values_list("kind", "hours")),
        sorted(
            Expense.objects.filter(intervention=intervention).values_list("kind", "km", "amount")
        ),
        sorted(
            PartUsed.objects.filter(intervention=intervention).values_list(
                "code", "quantity", "under_warranty"
            )
        ),
    )


def _attack_portal(client, intervention, part) -> list:
    """Every portal route that changes actuals, as the probe used them; the responses."""
    entry = TimeEntry.objects.filter(intervention=intervention).first()
    expense = Expense.objects.filter(intervention=intervention).first()
    used = PartUsed.objects.filter(intervention=intervention).first()
    htmx = {"HTTP_HX_REQUEST": "true"}
    token = lambda: str(uuid.uuid4())  # noqa: E731 - a fresh double-submit token per form
    return [
        # Section 4: a €9,999 expense and 5,000 km at €10/km, plain POST and htmx.
        client.post(
            _calls_url("expense_add", intervention),
            {
                "expense-kind": "other",
                "expense-date": DAY.isoformat(),
                "expense-amount": "9999",
                "expense-submission_token": token(),
            },
        ),
        client.post(
            _calls_url("expense_add", intervention),
            {
                "expense-kind": "km",
                "expense-date": DAY.isoformat(),
                "expense-km": "5000",
                "expense-km_rate": "10",
                "expense-submission_token": token(),
            },
            **htmx,
        ),
        client.post(_calls_url("expense_delete", intervention, expense.pk), **htmx),
        # Section 5: another part, and the existing one removed.
        client.post(
            _calls_url("part_add", intervention),
            {"spare_part": part.pk, "quantity": "50", "submission_token": token()},
            **htmx,
        ),
        client.post(_calls_url("part_remove", intervention, used.pk)),
        # Hours: the intervention's partial, the day page, changing and deleting an entry.
        client.post(
            reverse("planner:intervention_hours", args=[intervention.pk]),
            {"date": DAY.isoformat(), "kind": "labour", "hours": "21", "submission_token": token()},
            **htmx,
        ),
        client.post(
            reverse("planner:hours_day", args=[DAY.isoformat()])
            + f"?user={intervention.technician_id}",
            {
                "date": DAY.isoformat(),
                "kind": "labour",
                "hours": "3",
                "intervention": intervention.pk,
                "submission_token": token(),
            },
        ),
        client.post(
            reverse("planner:time_entry_update", args=[entry.pk]),
            {
                "date": DAY.isoformat(),
                "kind": "labour",
                "hours": "21",
                "intervention": intervention.pk,
                "version": entry.version,
            },
        ),
        client.post(reverse("planner:time_entry_delete", args=[entry.pk])),
        # The lifecycle: no bare state change back, and no correction once verified.
        client.post(
            _calls_url("transition", intervention), {"to_state": "done", "reason": "more work"}
        ),
        client.post(
            reverse("invoicing:correction_add", args=[intervention.pk]),
            {
                "kind": "expenses",
                "amount": "9999",
                "reason": "the probe",
                "submission_token": token(),
            },
        ),
    ]


def test_after_verification_no_route_changes_what_is_billed(
    client_for, administrator, operator, technician
):
    intervention = make_done_intervention(technician=technician, unit=make_unit(warranty_end=None))
    part = make_part()
    admin = client_for(administrator)
    assert admin.post(reverse("invoicing:verify", args=[intervention.pk])).status_code == 302
    intervention.refresh_from_db()
    assert intervention.state == State.VERIFIED
    verified = VerifiedFigures.objects.get(intervention=intervention)
    before = _actuals(intervention)

    for user in (technician, operator, administrator):
        client = client_for(user)
        for response in _attack_portal(client, intervention, part):
            # Refused: a page with the translated reason, a redirect with it in the messages,
            # a 403 (role) or a 404 (not theirs to see); never a 500.
            assert response.status_code in (200, 302, 403, 404), response
        assert _actuals(intervention) == before, user.role
        intervention.refresh_from_db()
        assert intervention.state == State.VERIFIED

    # The refusal is said, in the user's language.
    tech = client_for(technician)
    page = tech.post(
        _calls_url("expense_add", intervention),
        {"expense-kind": "other", "expense-date": DAY.isoformat(), "expense-amount": "9999"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "its hours, expenses and parts are frozen" in page
    hours = tech.post(
        reverse("planner:intervention_hours", args=[intervention.pk]),
        {"date": DAY.isoformat(), "kind": "labour", "hours": "21"},
    ).content.decode()
    assert "is verified: its hours are frozen" in hours

    # The API has no route that writes actuals: every method on the intervention is refused.
    _token, secret = create_token(name="probe", scopes=tuple(Scope.values))
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}
    url = f"/api/v1/interventions/{intervention.pk}/"
    api = client_for(None)
    assert api.get(url, **api_headers).status_code == 200
    for method in (api.post, api.put, api.patch, api.delete):
        response = method(
            url, data={"state": "done"}, content_type="application/json", **api_headers
        )
        assert response.status_code in (403, 405), method
        assert response["Content-Type"].startswith("application/json")
    # ...and a catalogue price change through the API leaves the recorded part's price alone.
    used = PartUsed.objects.get(intervention=intervention)
    response = api.put(
        f"/api/v1/spare-parts/by-code/{used.spare_part.code}/",
        data={"list_price": "999"},
        content_type="application/json",
        **api_headers,
    )
    assert response.status_code in (200, 201)

    # The Django admin, for a staff account that is not a superuser and holds every
    # permission: it can look but not change, add or delete hours.
    staff = make_user("staffer", Role.ADMINISTRATOR, is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    desk = client_for(staff)
    entry = TimeEntry.objects.filter(intervention=intervention).first()
    change = reverse("admin:planner_timeentry_change", args=[entry.pk])
    assert desk.post(change, {"hours": "21"}).status_code == 403
    assert desk.post(reverse("admin:planner_timeentry_delete", args=[entry.pk])).status_code == 403
    assert desk.post(reverse("admin:planner_timeentry_add"), {}).status_code == 403
    assert _actuals(intervention) == before

    # Issuing bills exactly the verified figures.
    admin.post(reverse("invoicing:billable_calls"), {"calls": [intervention.call_id]})
    invoice = Invoice.objects.get()
    admin.post(reverse("invoicing:invoice_issue", args=[invoice.pk]), {"confirm": "yes"})
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ISSUED
    assert invoice.total == verified.total and invoice.taxable == verified.taxable
    # Line by line the same amounts and VAT (an amount at cost, e.g. kilometres at the office's
    # rate, is printed for the customer as one unit at that amount: art. 21's presentation).
    assert [
        [line.kind, line.amount.normalize(), line.vat_rate.normalize()]
        for line in invoice.lines.order_by("position")
    ] == [
        [kind, Decimal(amount).normalize(), Decimal(vat).normalize()]
        for kind, _quantity, _price, amount, vat in verified.lines
    ]


def test_reopening_thaws_the_actuals_and_needs_a_new_verification(
    client_for, administrator, technician
):
    intervention = make_done_intervention(technician=technician)
    admin, tech = client_for(administrator), client_for(technician)
    admin.post(reverse("invoicing:verify", args=[intervention.pk]))
    first = VerifiedFigures.objects.get(intervention=intervention).total

    # Reopening needs a reason, and only an administrator may.
    assert tech.post(
        reverse("invoicing:reopen", args=[intervention.pk]), {"reason": "more"}
    ).status_code in (403, 404)
    page = admin.post(reverse("invoicing:reopen", args=[intervention.pk]), {"reason": ""})
    assert page.status_code == 200
    assert Intervention.objects.get(pk=intervention.pk).state == State.VERIFIED
    response = admin.post(
        reverse("invoicing:reopen", args=[intervention.pk]), {"reason": "A meal receipt is missing"}
    )
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.state == State.DONE
    assert intervention.transitions.last().reason == "A meal receipt is missing"
    assert not VerifiedFigures.objects.filter(intervention=intervention).exists()

    # Still under the customer's signature: the technician records again once it is sent back;
    # the call cannot be invoiced until verified again.
    meal = {  # a toll: billed at cost (a meal is reimbursed, not billed)
        "expense-kind": "toll",
        "expense-date": DAY.isoformat(),
        "expense-amount": "12.00",
        "expense-submission_token": str(uuid.uuid4()),
    }
    tech.post(_calls_url("expense_add", intervention), meal)
    assert not Expense.objects.filter(intervention=intervention, amount=Decimal("12.00")).exists()
    admin.post(reverse("invoicing:send_back", args=[intervention.pk]), {"reason": "Add the meal"})
    meal["expense-submission_token"] = str(uuid.uuid4())
    tech.post(_calls_url("expense_add", intervention), meal)
    assert Expense.objects.filter(intervention=intervention, amount=Decimal("12.00")).exists()
    Intervention.objects.filter(pk=intervention.pk).update(state=State.DONE)  # signed again
    admin.post(reverse("invoicing:billable_calls"), {"calls": [intervention.call_id]})
    assert not Invoice.objects.exists()

    admin.post(reverse("invoicing:verify", args=[intervention.pk]))
    second = VerifiedFigures.objects.get(intervention=intervention).total
    assert second > first  # the toll (billed at cost), with VAT
    admin.post(reverse("invoicing:billable_calls"), {"calls": [intervention.call_id]})
    invoice = Invoice.objects.get()
    admin.post(reverse("invoicing:invoice_issue", args=[invoice.pk]), {"confirm": "yes"})
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ISSUED and invoice.total == second


def test_the_technician_never_sets_the_km_rate_nor_the_warranty_flag(
    client_for, settings, operator, technician
):
    settings.KM_RATE = Decimal("0.42")
    intervention = make_done_intervention(
        technician=technician, unit=make_unit(warranty_end=None), km=None
    )
    Intervention.objects.filter(pk=intervention.pk).update(state=State.PLANNED)  # before signing
    part = make_part()
    tech = client_for(technician)
    form = tech.get(_calls_url("manage", intervention)).content.decode()
    assert 'name="expense-km_rate"' not in form and "0.42" in form
    tech.post(
        _calls_url("expense_add", intervention),
        {
            "expense-kind": "km",
            "expense-date": DAY.isoformat(),
            "expense-km": "100",
            "expense-km_rate": "10",
            "expense-submission_token": str(uuid.uuid4()),
        },
    )
    km = Expense.objects.get(intervention=intervention, kind="km")
    assert (km.km_rate, km.amount) == (Decimal("0.420"), Decimal("42.00"))
    tech.post(
        _calls_url("part_add", intervention),
        {
            "spare_part": part.pk,
            "quantity": "1",
            "under_warranty": "on",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert PartUsed.objects.get(intervention=intervention, spare_part=part).under_warranty is False

    # The office decides both.
    office = client_for(operator)
    office.post(
        _calls_url("expense_add", intervention),
        {
            "expense-kind": "km",
            "expense-date": DAY.isoformat(),
            "expense-km": "10",
            "expense-km_rate": "0.7",
            "expense-submission_token": str(uuid.uuid4()),
        },
    )
    assert Expense.objects.filter(intervention=intervention, km_rate=Decimal("0.7")).exists()
    other = make_part()
    office.post(
        _calls_url("part_add", intervention),
        {
            "spare_part": other.pk,
            "quantity": "1",
            "under_warranty": "on",
            "submission_token": str(uuid.uuid4()),
        },
    )
    assert PartUsed.objects.get(intervention=intervention, spare_part=other).under_warranty
