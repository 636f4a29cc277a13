"""Invoicing URLs: final verification and invoices are reserved to administrators.

A technician or an operator gets 403 on every page and action (and never sees the menu entry).
``build`` makes a done and a verified intervention, a draft invoice and an issued invoice.
"""

from accounts.models import Role
from invoicing import services
from tests.factories import make_user
from tests.invoicing.factories import make_done_intervention, make_verified_call
from tests.permission_tables import ADMIN, ADMIN_ONLY, ANON, LOGIN, OPER, TECH, Row


def build(world):
    boss = make_user("invoicing-boss", Role.ADMINISTRATOR)
    world.done = make_done_intervention()
    world.verified = make_verified_call().interventions.get()
    world.draft_invoice = services.create_draft(calls=[make_verified_call()], acting_user=boss)
    issued = services.create_draft(calls=[make_verified_call()], acting_user=boss)
    world.issued = services.issue(invoice=issued, acting_user=boss)


def _pk(attr):
    return lambda world: [getattr(world, attr).pk]


ADMIN_POST = {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 302}
# An invalid form is shown again with its errors.
ADMIN_POST_FORM = {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 200}

ROWS = [
    Row("invoicing:verification_list", ADMIN_ONLY),
    Row("invoicing:verification_detail", ADMIN_ONLY, _pk("done")),
    Row("invoicing:correction_add", ADMIN_POST_FORM, _pk("done"), method="post"),
    Row("invoicing:verify", ADMIN_POST, _pk("done"), method="post"),
    Row("invoicing:send_back", ADMIN_POST_FORM, _pk("done"), method="post"),
    Row("invoicing:verification_detail", ADMIN_ONLY, _pk("verified")),
    # without a reason the form comes back with its error (issue 17: reopening needs one)
    Row("invoicing:reopen", ADMIN_POST_FORM, _pk("verified"), method="post"),
    Row("invoicing:billable_calls", ADMIN_ONLY),
    # a refused draft goes back to the list (same filters and page) with the message
    Row("invoicing:billable_calls", ADMIN_POST, method="post"),
    Row("invoicing:invoice_list", ADMIN_ONLY),
    Row("invoicing:export_csv", ADMIN_ONLY),
    Row("invoicing:export_xlsx", ADMIN_ONLY),
    Row("invoicing:invoice_detail", ADMIN_ONLY, _pk("draft_invoice")),
    Row("invoicing:invoice_detail", ADMIN_ONLY, _pk("issued")),
    Row("invoicing:invoice_issue", ADMIN_POST, _pk("draft_invoice"), method="post"),
    Row("invoicing:invoice_discard", ADMIN_POST, _pk("draft_invoice"), method="post"),
    # without a reason the form comes back with its error (the amounts typed kept)
    Row("invoicing:credit_note", ADMIN_POST_FORM, _pk("issued"), method="post"),
    Row("invoicing:selection_toggle", ADMIN_POST_FORM, method="post"),
    Row("invoicing:batch", ADMIN_ONLY),
    # without a day the batch form comes back with its error
    Row("invoicing:batch", ADMIN_POST_FORM, method="post"),
    Row("invoicing:draft_list", ADMIN_ONLY),
    Row("invoicing:drafts_issue", ADMIN_POST, method="post"),
    Row("invoicing:draft_remove_call", ADMIN_POST, _pk("draft_invoice"), method="post"),
    Row("invoicing:invoice_pdf", ADMIN_ONLY, _pk("issued")),
    # FatturaPA (SPEC §6): the file of an issued invoice; a draft has none (404 for anyone
    # allowed to ask); the zip of the issued invoices the list's filters select.
    Row("invoicing:invoice_xml", ADMIN_ONLY, _pk("issued")),
    Row("invoicing:invoice_xml", {**ADMIN_ONLY, ADMIN: 404}, _pk("draft_invoice")),
    Row("invoicing:export_fatturapa", ADMIN_ONLY),
    Row("invoicing:open_items", ADMIN_ONLY),
    # without a token or an amount the payment form comes back with its errors
    Row("invoicing:payment_add", ADMIN_POST_FORM, _pk("issued"), method="post"),
    # a payment on a draft goes back to the draft with the refusal
    Row("invoicing:payment_add", ADMIN_POST, _pk("draft_invoice"), method="post"),
    Row("invoicing:expenses_report", ADMIN_ONLY),
    Row("invoicing:expenses_csv", ADMIN_ONLY),
    Row("invoicing:expenses_xlsx", ADMIN_ONLY),
]
