"""Billing under a service contract: covered kinds at zero or discounted, each line saying so;
the contract's price list for what is not covered; the periodic fee as a draft invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from calls.models import Intervention
from contracts.models import Coverage, FeePeriod
from invoicing import billing, fees, services
from invoicing.models import ContractFee, Invoice, InvoiceState, LineKind
from invoicing.selectors import with_billing_data
from quotes.models import RateKind
from tests.contracts.factories import make_contract
from tests.factories import make_unit, make_user
from tests.invoicing.factories import make_done_intervention, make_verified_call
from tests.quotes.factories import make_price_list

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin():
    return make_user("boss", Role.ADMINISTRATOR)


def _bill(intervention):
    return billing.bill(with_billing_data(Intervention.objects.filter(pk=intervention.pk)).get())


def _by_kind(bill):
    return {line.kind: line for line in bill.lines}


def test_a_covered_call_bills_what_the_contract_says():
    unit = make_unit()
    contract = make_contract(unit=unit)  # labour, travel included; call-out billed; parts -20 %
    lines = _by_kind(_bill(make_done_intervention(unit=unit)))
    note = f"covered by contract {contract.code}"
    assert lines[LineKind.LABOUR].amount == Decimal("0.00")
    assert note in lines[LineKind.LABOUR].note
    assert lines[LineKind.TRAVEL].amount == Decimal("0.00")
    assert lines[LineKind.CALL_OUT].amount == Decimal("80.00")  # billed, as quoted
    assert lines[LineKind.CALL_OUT].note == ""
    assert lines[LineKind.KM].amount == Decimal("58.00")  # not a covered kind
    assert lines[LineKind.PARTS].amount == Decimal("19.76")  # 24.70 less 20 %
    assert f"contract {contract.code}: discount 20%" in lines[LineKind.PARTS].note


def test_the_same_work_without_a_contract_is_billed_in_full():
    lines = _by_kind(_bill(make_done_intervention()))
    assert lines[LineKind.LABOUR].amount == Decimal("220.00")
    assert lines[LineKind.PARTS].amount == Decimal("24.70")


def test_an_expired_contract_covers_nothing():
    unit = make_unit()
    make_contract(unit=unit, start=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31))
    lines = _by_kind(_bill(make_done_intervention(unit=unit)))
    assert lines[LineKind.LABOUR].amount == Decimal("220.00")


def test_a_site_contract_covers_every_unit_of_the_site():
    unit = make_unit()
    contract = make_contract(customer=unit.site.customer, labour=Coverage.DISCOUNTED)
    contract.labour_discount = Decimal("50")
    contract.save()
    contract.sites.add(unit.site)
    lines = _by_kind(_bill(make_done_intervention(unit=unit)))
    assert lines[LineKind.LABOUR].amount == Decimal("110.00")


def test_the_contract_price_list_prices_what_has_no_quote():
    unit = make_unit()
    contract = make_contract(unit=unit, labour=Coverage.BILLED, call_out=Coverage.BILLED)
    price_list = make_price_list(customer=unit.site.customer)
    price_list.contract = contract
    price_list.save()
    price_list.rates.filter(kind=RateKind.LABOUR_HOUR).update(price=Decimal("30.00"))
    lines = _by_kind(_bill(make_done_intervention(unit=unit, quote_lines=None)))
    assert lines[LineKind.LABOUR].amount == Decimal("120.00")  # 4 h x 30.00
    assert contract.code in str(lines[LineKind.LABOUR].source)


def test_the_issued_invoice_says_covered_by_contract(admin):
    unit = make_unit()
    customer = unit.site.customer
    customer.language = "en"  # the invoice speaks the customer's language
    customer.save()
    contract = make_contract(unit=unit)
    call = make_verified_call(unit=unit)
    draft = services.create_draft(calls=[call], acting_user=admin)
    invoice = services.issue(invoice=draft, acting_user=admin)
    labour = invoice.lines.get(kind=LineKind.LABOUR)
    assert labour.amount == Decimal("0.00")
    assert labour.note == f"covered by contract {contract.code}"


def test_a_quarterly_fee_draft_once_per_period(admin):
    unit = make_unit()
    contract = make_contract(
        unit=unit, start=datetime.date(2026, 2, 15), fee_period=FeePeriod.QUARTERLY
    )
    today = datetime.date(2026, 6, 1)
    assert fees.create_fee_drafts(today) == "1 fee draft(s) made"
    assert fees.create_fee_drafts(today) == "0 fee draft(s) made"
    fee = ContractFee.objects.get(contract=contract)
    assert (fee.period_start, fee.period_end) == (
        datetime.date(2026, 5, 15),
        datetime.date(2026, 8, 14),
    )
    assert fee.invoice.state == InvoiceState.DRAFT and fee.invoice.customer == contract.customer
    # the next quarter gets its own draft
    assert fees.create_fee_drafts(datetime.date(2026, 8, 15)) == "1 fee draft(s) made"
    # issued like any invoice: same series, one line with the fee
    invoice = services.issue(invoice=fee.invoice, acting_user=admin)
    assert invoice.code.startswith("2026/")
    line = invoice.lines.get()
    assert line.kind == LineKind.CONTRACT_FEE and line.amount == Decimal("600.00")
    assert invoice.taxable == Decimal("600.00") and invoice.total == Decimal("732.00")
    # the ERP hears of it like of any invoice (docs/integration.md)
    from events.models import Event

    told = Event.objects.get(event_type="invoice.issued", record_id=str(invoice.pk))
    assert told.payload["invoice"]["number"] == invoice.code


def test_a_discarded_fee_draft_is_not_made_again(admin):
    contract = make_contract(unit=make_unit(), fee_period=FeePeriod.MONTHLY)
    today = datetime.date(2026, 6, 10)
    fees.create_fee_drafts(today)
    services.discard_draft(invoice=Invoice.objects.get(), acting_user=admin)
    assert fees.create_fee_drafts(today) == "0 fee draft(s) made"
    assert ContractFee.objects.get(contract=contract).invoice is None


def test_no_fee_for_contracts_without_one_or_ended(admin):
    make_contract(unit=make_unit(), fee_period=FeePeriod.NONE)
    make_contract(
        unit=make_unit(), start=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31)
    )
    assert fees.create_fee_drafts(datetime.date(2026, 6, 1)) == "0 fee draft(s) made"


def test_no_administrator_no_fee_drafts():
    make_contract(unit=make_unit())
    assert fees.create_fee_drafts(datetime.date(2026, 6, 1)).startswith("no active administrator")
    assert not ContractFee.objects.exists()


def test_fee_periods_clamp_to_the_month_end():
    contract = make_contract(
        unit=make_unit(), start=datetime.date(2026, 1, 31), fee_period=FeePeriod.MONTHLY
    )
    assert fees.period_of(contract, datetime.date(2026, 2, 28)) == (
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 30),
    )
    assert fees.period_of(contract, datetime.date(2026, 1, 31))[0] == datetime.date(2026, 1, 31)
