"""The billable lines of an intervention and the totals, to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Role
from calls.models import Intervention
from invoicing import billing, services
from invoicing.models import LineKind
from invoicing.selectors import with_billing_data
from quotes.models import RateKind
from tests.factories import make_user
from tests.invoicing.factories import make_done_intervention

pytestmark = pytest.mark.django_db


def _bill(intervention):
    return billing.bill(with_billing_data(Intervention.objects.filter(pk=intervention.pk)).get())


def _by_kind(bill):
    return {line.kind: line for line in bill.lines}


def test_lines_by_kind_with_vat_per_rate():
    bill = _bill(make_done_intervention())
    lines = _by_kind(bill)
    assert lines[LineKind.LABOUR].quantity == Decimal("4")
    assert lines[LineKind.LABOUR].amount == Decimal("220.00")
    assert lines[LineKind.LABOUR].differs  # 3 hours quoted, 4 worked
    assert not lines[LineKind.TRAVEL].differs
    assert lines[LineKind.TRAVEL].amount == Decimal("40.00")
    assert lines[LineKind.CALL_OUT].amount == Decimal("80.00")
    assert lines[LineKind.KM].amount == Decimal("58.00")  # the customer's 0.58, not 0.555
    assert lines[LineKind.PARTS].amount == Decimal("24.70")
    assert lines[LineKind.PARTS].vat_rate == Decimal("10.00")
    assert LineKind.EXPENSES not in lines  # the technician's meal is not re-invoiced
    totals = billing.totals(bill.lines)
    assert [(v.rate, v.taxable, v.vat) for v in totals.by_rate] == [
        (Decimal("10.00"), Decimal("24.70"), Decimal("2.47")),
        (Decimal("22.00"), Decimal("398.00"), Decimal("87.56")),
    ]
    assert totals.taxable == Decimal("422.70")
    assert totals.vat == Decimal("90.03")
    assert totals.total == Decimal("512.73")


def test_rounding_half_up_to_the_cent():
    intervention = make_done_intervention(
        quote_lines=[(RateKind.LABOUR_HOUR, "1", "33.33")], labour="1.5", travel="", km=None
    )
    lines = _by_kind(_bill(intervention))
    assert lines[LineKind.LABOUR].amount == Decimal("50.00")  # 49.995 -> 50.00


def test_hours_without_a_rate_are_listed_at_zero_and_flagged():
    intervention = make_done_intervention(quote_lines=None)
    lines = _by_kind(_bill(intervention))
    assert lines[LineKind.LABOUR].amount == Decimal("0.00")
    assert "no rate" in lines[LineKind.LABOUR].note
    assert lines[LineKind.LABOUR].vat_rate == Decimal("22.00")  # the DEFAULT_VAT_RATE setting


def test_services_without_a_quote_are_taxed_at_the_configured_rate(settings):
    settings.DEFAULT_VAT_RATE = Decimal("10")
    intervention = make_done_intervention(quote_lines=None)
    lines = _by_kind(_bill(intervention))
    assert lines[LineKind.LABOUR].vat_rate == Decimal("10.00")
    assert lines[LineKind.TRAVEL].vat_rate == Decimal("10.00")


def test_parts_under_warranty_are_zero():
    intervention = make_done_intervention()
    intervention.parts_used.update(under_warranty=True)
    lines = _by_kind(_bill(intervention))
    assert lines[LineKind.PARTS].amount == Decimal("0.00")
    assert "warranty" in lines[LineKind.PARTS].note


def test_a_warranty_intervention_bills_every_line_at_zero():
    bill = _bill(make_done_intervention(warranty=True))
    assert bill.is_warranty
    assert bill.lines and all(line.amount == 0 for line in bill.lines)
    assert all("warranty" in line.note for line in bill.lines)
    assert billing.totals(bill.lines).total == Decimal("0.00")


def test_corrections_apply_without_touching_the_technicians_records():
    intervention = make_done_intervention()
    admin = make_user("boss", Role.ADMINISTRATOR)
    services.add_correction(
        intervention=intervention,
        line="labour:normal",
        quantity=Decimal("3"),
        reason="One hour was training",
        acting_user=admin,
    )
    services.add_correction(
        intervention=intervention,
        line="km",
        quantity=Decimal("80"),
        reason="Shorter route",
        acting_user=admin,
    )
    lines = _by_kind(_bill(intervention))
    assert lines[LineKind.LABOUR].amount == Decimal("165.00")
    assert "corrected" in lines[LineKind.LABOUR].note
    assert lines[LineKind.KM].amount == Decimal("46.40")  # 80 x 0.58
    assert sum(e.hours for e in intervention.time_entries.all()) == Decimal("5")
    assert intervention.expenses.get(kind="km").amount == Decimal("55.50")
