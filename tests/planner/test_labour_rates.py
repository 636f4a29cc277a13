"""Labour hours carry their rate (normal, overtime, holiday), each billed at its own line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Role
from planner.models import LabourRate, WorkKind
from planner.services import PlannerError
from tests.factories import make_user
from tests.planner.factories import make_entry, make_planned

pytestmark = pytest.mark.django_db


def test_labour_hours_keep_their_rate_and_travel_is_always_normal():
    technician = make_user(None, Role.TECHNICIAN)
    intervention = make_planned(technician).intervention
    overtime = make_entry(
        technician, kind=WorkKind.LABOUR, rate=LabourRate.OVERTIME, intervention=intervention
    )
    assert overtime.rate == LabourRate.OVERTIME
    travel = make_entry(
        technician,
        kind=WorkKind.TRAVEL,
        rate=LabourRate.HOLIDAY,
        intervention=intervention,
        hours=Decimal("1"),
    )
    assert travel.rate == LabourRate.NORMAL
    assert make_entry(technician).rate == LabourRate.NORMAL  # the default


def test_an_unknown_rate_is_refused():
    technician = make_user(None, Role.TECHNICIAN)
    with pytest.raises(PlannerError, match="Unknown rate"):
        make_entry(technician, rate="double")
