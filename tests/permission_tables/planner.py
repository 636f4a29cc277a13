"""Planner URLs: staff plan, everyone keeps their own calendar and hours, administrators the team.

``build`` plans an intervention of the shared world's unit for a technician (``tech-owner``, not
the requesting technician), so a requesting technician must get 404 on that technician's
activity, hours and intervention hours, like any outsider.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from calls import services as call_services
from planner import services
from planner.models import ActivityKind
from tests.calls.factories import make_intervention_type
from tests.factories import make_user
from tests.permission_tables import ADMIN, ADMIN_ONLY, ANON, EVERYONE, LOGIN, OPER, STAFF, TECH, Row


def _at(day, hour):
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def build(world):
    office = make_user("planner-office", Role.OPERATOR)
    owner = make_user("tech-owner", Role.TECHNICIAN)
    call = call_services.create_call(
        acting_user=office,
        customer=world.customer,
        site=world.site,
        unit=world.unit,
        description="Noisy compressor",
        # Received yesterday: today's 9:00 visit may be planned (not before the call came in).
        received_at=timezone.now() - datetime.timedelta(days=1),
    )
    intervention = call.interventions.get()
    call_services.fill_intervention_section(
        intervention=intervention,
        acting_user=office,
        version=None,
        type=make_intervention_type(),
        requested_date=timezone.localdate(),
    )
    waiting = call_services.create_call(
        acting_user=office,
        customer=world.customer,
        site=world.site,
        unit=world.unit,
        description="Second machine",
    ).interventions.get()
    call_services.fill_intervention_section(
        intervention=waiting,
        acting_user=office,
        version=None,
        type=make_intervention_type(),
        requested_date=timezone.localdate(),
    )
    today = timezone.localdate()
    world.planned = services.plan_intervention(
        intervention=intervention,
        technician=owner,
        start=_at(today, 9),
        end=_at(today, 12),
        acting_user=office,
        confirm=True,
    ).activity
    world.office_activity = services.create_activity(
        acting_user=owner,
        technician=owner,
        kind=ActivityKind.OFFICE,
        start=_at(today, 14),
        end=_at(today, 16),
    ).activity
    world.entry = services.record_time_entry(
        acting_user=owner,
        user=owner,
        date=today,
        kind="labour",
        hours=Decimal("3"),
        intervention=intervention,
    )
    world.owner, world.intervention, world.waiting = owner, intervention, waiting
    world.feed = services.regenerate_feed_token(user=owner)
    world.today = today.isoformat()


# Another technician's records: 404 for a technician (they may not know they exist).
STAFF_SEE_OTHERS = {ANON: LOGIN, TECH: 404, OPER: 200, ADMIN: 200}
ADMIN_SEES_OTHERS = {ANON: LOGIN, TECH: 404, OPER: 404, ADMIN: 200}
POST_DELETE_ACTIVITY = {ANON: LOGIN, TECH: 404, OPER: 302, ADMIN: 302}
POST_DELETE_ENTRY = {ANON: LOGIN, TECH: 404, OPER: 404, ADMIN: 302}
PUBLIC_FEED = {ANON: 200, TECH: 200, OPER: 200, ADMIN: 200}
NOT_FOUND = {ANON: 404, TECH: 404, OPER: 404, ADMIN: 404}
OWN_POST = {ANON: LOGIN, TECH: 302, OPER: 302, ADMIN: 302}

ROWS = [
    Row("planner:board", STAFF),
    Row("planner:board", STAFF, query="view=month"),
    Row("planner:my_calendar", EVERYONE),
    Row("planner:offline_pages", EVERYONE),
    Row("planner:day", STAFF_SEE_OTHERS, lambda w: [w.owner.pk, w.today]),
    Row("planner:activity_update", STAFF_SEE_OTHERS, lambda w: [w.office_activity.pk]),
    Row(
        "planner:activity_delete",
        POST_DELETE_ACTIVITY,
        lambda w: [w.office_activity.pk],
        method="post",
    ),
    Row("planner:plan", STAFF, lambda w: [w.waiting.pk]),
    Row("planner:intervention_hours", STAFF_SEE_OTHERS, lambda w: [w.intervention.pk]),
    Row("planner:hours_month", EVERYONE),
    Row("planner:hours_day", EVERYONE, lambda w: [w.today]),
    Row("planner:team_hours", ADMIN_ONLY),
    Row("planner:team_hours_csv", ADMIN_ONLY),
    Row("planner:team_hours_xlsx", ADMIN_ONLY),
    Row("planner:time_entry_update", ADMIN_SEES_OTHERS, lambda w: [w.entry.pk]),
    Row("planner:time_entry_delete", POST_DELETE_ENTRY, lambda w: [w.entry.pk], method="post"),
    Row("planner:feed_settings", EVERYONE),
    Row("planner:feed_settings", OWN_POST, method="post", data=lambda w: {"action": "x"}),
    Row("planner:feed", PUBLIC_FEED, lambda w: [w.feed.token]),
    Row("planner:feed", NOT_FOUND, lambda w: ["not-a-token"]),
]
