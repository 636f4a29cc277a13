"""Calls: the office sees every call; a technician only the interventions assigned to them
(404 for the others, so nobody learns that a call exists). Ownership for assigned technicians is
tested in tests/calls/test_pages.py."""

import datetime
from decimal import Decimal

from calls.models import Expense
from tests.calls.factories import make_call
from tests.permission_tables import (
    ADMIN,
    ADMIN_ONLY,
    ANON,
    EVERYONE,
    LOGIN,
    OPER,
    STAFF,
    TECH,
    Row,
)

# The world's intervention is assigned to nobody: the technician of the table is an outsider.
OWNED = {ANON: LOGIN, TECH: 404, OPER: 200, ADMIN: 200}
STAFF_POST = {ANON: LOGIN, TECH: 403, OPER: 200, ADMIN: 200}


def build(world):
    world.call = make_call(unit=world.unit)
    # An expense without receipt: the receipt view answers 404 to everyone (receipts served to
    # allowed users only are tested in tests/calls/test_actuals_expenses.py).
    world.expense = Expense.objects.create(
        intervention=world.call.interventions.get(number=1),
        kind="meal",
        date=datetime.date(2026, 1, 10),
        amount=Decimal("10"),
        created_by=world.call.created_by,
    )


def _part(world):
    return [world.call.pk, 1, 0]  # no part: parts are added once planned (tests/calls)


def _expense(world):
    return [world.call.pk, 1, world.expense.pk]


NOTHING = {ANON: LOGIN, TECH: 404, OPER: 404, ADMIN: 404}


def _no_attachment(world):
    return [world.call.pk, 1, 0]


def _call(world):
    return [world.call.pk]


def _intervention(world):
    return [world.call.pk, 1]


def _customer(world):
    return [world.customer.pk]


ROWS = [
    Row("calls:call_search", EVERYONE),
    Row("calls:call_search", EVERYONE, query="date_from=2026-02-01&date_to=2026-01-01"),
    Row("calls:export_csv", EVERYONE),
    Row("calls:export_xlsx", EVERYONE),
    Row("calls:my_interventions", EVERYONE),
    Row("calls:solutions", STAFF),
    Row("calls:solutions", STAFF, query="q=breaker&product=0"),
    Row("calls:unit_history", EVERYONE, lambda world: [world.unit.pk]),
    Row("calls:customer_history", EVERYONE, _customer),
    Row("calls:call_create", STAFF),
    Row("calls:customer_picker", STAFF, query="q=customer"),
    Row("calls:customer_fields", STAFF, query="customer=0"),
    Row("calls:new_contact", STAFF, _customer),
    Row("calls:new_site", STAFF, _customer),
    Row("calls:call_detail", {ANON: LOGIN, TECH: 404, OPER: 302, ADMIN: 302}, _call),
    Row("calls:manage", OWNED, _intervention),
    Row("calls:call_update", STAFF_POST, _intervention, method="post"),
    Row("calls:intervention_update", STAFF_POST, _intervention, method="post"),
    Row("calls:note_add", OWNED, _intervention, method="post"),
    Row("calls:transition", OWNED, _intervention, method="post"),
    # Without a solution: the form comes back with its error (200).
    Row("calls:resolve_by_phone", STAFF_POST, _intervention, method="post"),
    Row("calls:follow_up", STAFF_POST, _intervention, method="post"),
    Row("calls:sla_action", STAFF_POST, _intervention, method="post"),
    Row("calls:quote_create", STAFF_POST, _intervention, method="post"),
    # No quote yet: the refusal is shown on the page (a redirect back to it).
    Row("calls:quote_send", STAFF_POST, _intervention, method="post"),
    # The draft offer is made and the office goes to its cart.
    Row(
        "calls:offer_create",
        {ANON: LOGIN, TECH: 403, OPER: 302, ADMIN: 302},
        _intervention,
        method="post",
    ),
    # A new intervention: the service refuses (message on the page, 200); another technician 404.
    Row("calls:expense_add", OWNED, _intervention, method="post"),
    # Without hours: the form comes back with its error (200); another technician 404.
    Row("calls:reading_add", OWNED, _intervention, method="post"),
    Row("calls:maintenance_due", STAFF),
    Row("calls:expense_delete", OWNED, _expense, method="post"),
    Row("calls:part_search", OWNED, _intervention, query="q=ab"),
    Row("calls:part_add", OWNED, _intervention, method="post"),
    Row("calls:part_from_order", OWNED, _intervention, method="post"),
    Row(
        "calls:part_remove",
        {ANON: LOGIN, TECH: 404, OPER: 404, ADMIN: 404},
        _part,
        method="post",
    ),
    # Completion: the new intervention is not planned (refused on the page, 200); the report
    # exists once signed (404 before). Signing, the PDF and the e-mail: tests/calls.
    Row("calls:complete", OWNED, _intervention, method="post"),
    Row("calls:report_pdf", {ANON: LOGIN, TECH: 404, OPER: 404, ADMIN: 404}, _intervention),
    # A signed version that does not exist (versions: tests/calls/test_signed_frozen_and_resign.py).
    Row(
        "calls:report_version_pdf",
        {ANON: LOGIN, TECH: 404, OPER: 404, ADMIN: 404},
        lambda world: [world.call.pk, 1, 1],
    ),
    Row("calls:report_send", OWNED, _intervention, method="post"),
    Row("calls:expense_receipt", {ANON: LOGIN, TECH: 404, OPER: 404, ADMIN: 404}, _expense),
    # Photos, documents and the checklist (issue 21). The world's intervention is new: the
    # office's empty forms come back with their errors (200); no attachment 0 (404). Uploads,
    # serving and technician B: tests/calls/test_photos.py and test_checklists.py.
    Row("calls:photo_add", OWNED, _intervention, method="post"),
    Row("calls:document_add", OWNED, _intervention, method="post"),
    Row("calls:checklist_save", OWNED, _intervention, method="post"),
    # No item 0 on a checklist the world's intervention does not have: 404 to everyone.
    Row("calls:checklist_item_save", NOTHING, _no_attachment, method="post"),
    Row("calls:attachment_file", NOTHING, _no_attachment),
    Row("calls:attachment_thumbnail", NOTHING, _no_attachment),
    Row("calls:attachment_remove", NOTHING, _no_attachment, method="post"),
    Row("calls:photo_tag", NOTHING, _no_attachment, method="post"),
    Row("calls:checklist_templates", ADMIN_ONLY),
    Row("calls:checklist_template_new", ADMIN_ONLY),
    Row(
        "calls:checklist_template_edit",
        {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 404},
        lambda world: [0],
    ),
]
