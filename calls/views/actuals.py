"""The management page's forms for what was done on site: travel expenses and receipts, parts
used, the completion with the customer's signature and the intervention report."""

from __future__ import annotations

import base64
import binascii

from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls import access, reports, selectors
from calls.forms import (
    CompletionForm,
    ExpenseForm,
    PartFromOrderForm,
    PartUsedForm,
)
from calls.models import Expense, PartUsed
from calls.services import actuals
from calls.views.management import section_post
from service_portal import idempotency
from service_portal.permissions import role_required
from service_portal.roles import EVERYONE


# --- Section 4: travel expenses ---------------------------------------------------------------
@require_POST
@role_required(*EVERYONE)
def expense_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: actuals.add_expense(
            intervention=intervention, acting_user=request.user, **data
        ),
        section="hours",
        success=_("Expense recorded."),
        form=ExpenseForm(request.POST, request.FILES),
        form_name="expense_form",
        once=True,
    )


@require_POST
@role_required(*EVERYONE)
def expense_delete(request: HttpRequest, pk: int, number: int, expense_pk: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    expense = get_object_or_404(Expense, pk=expense_pk, intervention=intervention)
    return section_post(
        request,
        intervention,
        lambda data: actuals.delete_expense(expense=expense, acting_user=request.user),
        section="hours",
        success=_("Expense removed."),
    )


@require_GET
@role_required(*EVERYONE)
def expense_receipt(request: HttpRequest, pk: int, number: int, expense_pk: int):
    """The receipt, only to those who may see the intervention (404 for anyone else)."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    expense = get_object_or_404(Expense, pk=expense_pk, intervention=intervention)
    if not expense.receipt:
        raise Http404
    handle = expense.receipt.open("rb")
    mime = actuals.sniff_stored(handle.read(16))
    handle.seek(0)
    response = FileResponse(handle, content_type=mime)
    response["Content-Disposition"] = f'inline; filename="receipt-{expense.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Section 5: parts used --------------------------------------------------------------------
@require_GET
@role_required(*EVERYONE)
def part_search(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Search as you type in the catalogue; each result carries its own "add" form."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    # Each result's "add" form creates at most one row (a double click).
    parts = idempotency.with_tokens(
        selectors.search_spare_parts(intervention, request.GET.get("q", ""))
    )
    context = {
        "intervention": intervention,
        "call": intervention.call,
        "parts": parts,
        "can_record": access.may_record(intervention, request.user),
        "under_warranty": selectors.unit_under_warranty(intervention),
        "stock_sources": selectors.stock_sources(request.user) if parts else [],
    }
    return render(request, "calls/sections/part_results.html", context)


@require_POST
@role_required(*EVERYONE)
def part_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: actuals.add_part(intervention=intervention, acting_user=request.user, **data),
        section="parts",
        success=_("Part added."),
        form=PartUsedForm(request.POST),  # its errors go to the section's line
        once=True,
    )


@require_POST
@role_required(*EVERYONE)
def part_from_order(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A part taken from an order of this call: not billed again."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: actuals.add_part(intervention=intervention, acting_user=request.user, **data),
        section="parts",
        success=_("Part added."),
        form=PartFromOrderForm(request.POST),
        once=True,
    )


@require_POST
@role_required(*EVERYONE)
def part_remove(request: HttpRequest, pk: int, number: int, part_pk: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    part = get_object_or_404(PartUsed, pk=part_pk, intervention=intervention)
    return section_post(
        request,
        intervention,
        lambda data: actuals.remove_part(part=part, acting_user=request.user),
        section="parts",
        success=_("Part removed."),
    )


# --- Completion and the report ----------------------------------------------------------------
def _signature_bytes(value: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix) or len(value) > 2 * 1024 * 1024:
        return b""
    try:
        return base64.b64decode(value.removeprefix(prefix), validate=True)
    except (ValueError, binascii.Error):
        return b""


@require_POST
@role_required(*EVERYONE)
def complete(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The customer signed on the page: store the signature and mark the intervention done.
    Once per form (its submission token): a repeat is answered "already saved"."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: actuals.complete_intervention(
            intervention=intervention,
            acting_user=request.user,
            signature_png=_signature_bytes(request.POST.get("signature", "")),
            signed_by=request.POST.get("signed_by", "")[:200],
        ),
        section="completion",
        success=_("The intervention is done: the report is ready."),
        form=CompletionForm(request.POST),  # its token's error goes to the section's line
        once=True,
    )


@require_GET
@role_required(*EVERYONE)
def report_pdf(
    request: HttpRequest, pk: int, number: int, version: int | None = None
) -> HttpResponse:
    """The intervention report (rapportino) of the signature in force, or of an earlier
    (superseded) signed ``version``: stored once, the same bytes at every download."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    if version is None and intervention.signed_at is None:
        raise Http404
    with transaction.atomic():
        pdf = reports.stored_pdf(intervention, version)
    if pdf is None:
        raise Http404
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = f"-v{version}" if version else ""
    filename = f"report-{intervention.code.replace('/', '-')}{suffix}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@role_required(*EVERYONE)
def report_send(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: actuals.send_report(intervention=intervention, acting_user=request.user),
        section="completion",
        success=lambda email: _("The report is being sent to %(email)s.") % {"email": email},
    )
