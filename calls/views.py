"""The new-call page and the management page (gestione chiamata). Thin: parse, call a service,
render. Section forms post with htmx (the page's ``#management`` block is swapped, no reload)
and as plain POSTs (redirect after success)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from calls import actuals, documents, selectors, services
from calls.forms import (
    CallForm,
    ExpenseForm,
    InterventionForm,
    NewCallForm,
    NoteForm,
    PartUsedForm,
    ResolveByPhoneForm,
    TransitionForm,
)
from calls.models import Expense, Intervention, PartUsed, State
from calls.services import MANUAL_TARGETS, CallError
from customers.forms import ContactForm, SiteForm
from customers.models import Customer, Unit
from service_portal import idempotency
from service_portal.permissions import EVERYONE, STAFF, role_required

PICKER_LIMIT = 10


# --- New call -------------------------------------------------------------------------------
def _customer_from(value: Any) -> Customer | None:
    if value and str(value).isdecimal():
        return Customer.objects.filter(pk=value, is_active=True).first()
    return None


@role_required(*STAFF)
def call_create(request: HttpRequest) -> HttpResponse:
    """Take a call: pick the customer (search as you type), then its site, contact and unit."""
    if request.method == "POST":
        customer = _customer_from(request.POST.get("customer"))
        form = NewCallForm(request.POST, customer=customer)
        if customer is not None and form.is_valid():
            data = form.cleaned_data
            try:
                with idempotency.once(data["submission_token"], request.user) as sent:
                    call = services.create_call(
                        acting_user=request.user,
                        customer=customer,
                        site=data["site"],
                        contact=data["contact"],
                        unit=data["unit"],
                        description=data["description"],
                        channel=data["channel"],
                        priority=data["priority"],
                        received_at=data["received_at"],
                    )
                    url = reverse("calls:manage", args=[call.pk, 1])
                    sent.done(url)
            except idempotency.AlreadySubmitted as repeat:  # show what the first one made
                message = _("This call had already been created.")
                return idempotency.already_saved(request, repeat, "calls:call_search", message)
            except CallError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Call %(code)s created.") % {"code": call.code})
                return redirect(url)
        elif customer is None:
            form.add_error(None, _("Choose the customer first."))
    else:
        customer, unit = _picked(request.GET)
        initial = {"customer": customer.pk} if customer else {}
        if unit is not None:
            initial.update(site=unit.site_id, unit=unit.pk)
        form = NewCallForm(customer=customer, initial=initial)
    return render(request, "calls/call_create.html", {"form": form, "customer": customer})


def _picked(params: Any) -> tuple[Customer | None, Unit | None]:
    """Customer (and unit) chosen in the picker or passed by a link (?customer=, ?unit=)."""
    unit = None
    if params.get("unit", "").isdecimal():
        unit = Unit.objects.with_relations().filter(pk=params["unit"]).first()
    customer = unit.site.customer if unit else _customer_from(params.get("customer"))
    return customer, unit


@require_GET
@role_required(*STAFF)
def customer_picker(request: HttpRequest) -> HttpResponse:
    """Search as you type: customers by name or VAT number, and units by serial number."""
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    customers, units = [], []
    if len(q) >= 2:
        customers = list(
            Customer.objects.filter(is_active=True).matching(q).order_by("name")[:PICKER_LIMIT]
        )
        units = list(
            Unit.objects.with_relations()
            .filter(is_active=True, serial_number__icontains=q)
            .order_by("serial_number")[:PICKER_LIMIT]
        )
    return render(
        request, "calls/new/picker_results.html", {"q": q, "customers": customers, "units": units}
    )


def _customer_fields(
    request: HttpRequest, customer: Customer, initial: dict, **extra: Any
) -> HttpResponse:
    form = NewCallForm(customer=customer, initial={"customer": customer.pk, **initial})
    context = {"form": form, "customer": customer, **extra}
    return render(request, "calls/new/customer_fields.html", context)


def _typed(params: Any) -> dict:
    """Site, unit and contact already chosen in the call being typed (kept across refreshes)."""
    return {
        name: params[name]
        for name in ("site", "unit", "contact")
        if params.get(name, "").isdecimal()
    }


@require_GET
@role_required(*STAFF)
def customer_fields(request: HttpRequest) -> HttpResponse:
    """The customer's own sites, contacts and units, once the customer is picked."""
    customer, unit = _picked(request.GET)
    if customer is None:  # unknown or inactive: back to "search the customer"
        return render(request, "calls/new/customer_fields.html", {"customer": None})
    initial = _typed(request.GET)
    if unit is not None:
        initial.setdefault("site", unit.site_id)
    return _customer_fields(request, customer, initial)


@role_required(*STAFF)
def new_contact(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Add a contact without leaving the call being typed (inline, with htmx)."""
    return _inline_create(request, customer_pk, ContactForm, "new_contact", "contact")


@role_required(*STAFF)
def new_site(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Add a site without leaving the call being typed (inline, with htmx)."""
    return _inline_create(request, customer_pk, SiteForm, "new_site", "site")


def _inline_create(request, customer_pk, form_class, prefix, field) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_pk, is_active=True)
    if request.method != "POST":
        form = form_class(customer=customer, prefix=prefix)
        typed = _typed(request.GET)
        return _customer_fields(request, customer, typed, inline_form=form, inline_kind=prefix)
    form = form_class(request.POST, customer=customer, prefix=prefix)
    typed = _typed(request.POST)
    if not form.is_valid():
        return _customer_fields(request, customer, typed, inline_form=form, inline_kind=prefix)
    try:
        with idempotency.once(form.cleaned_data["submission_token"], request.user):
            created = form.save()
    except idempotency.AlreadySubmitted:  # a double click: already added
        return _customer_fields(request, customer, typed)
    typed[field] = created.pk
    if field == "site":
        typed.pop("unit", None)  # a new site has no units yet
    return _customer_fields(request, customer, typed)


# --- The management page --------------------------------------------------------------------
@require_GET
@role_required(*EVERYONE)
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A call's address: its latest intervention the user may see."""
    call = selectors.get_call_for(request.user, pk)
    return redirect("calls:manage", call.pk, selectors.latest_number_for(request.user, call))


def _render_manage(
    request: HttpRequest,
    intervention: Intervention,
    *,
    forms: dict | None = None,
    errors: dict | None = None,
    flash: str = "",
) -> HttpResponse:
    user = request.user
    call = intervention.call
    call_editable = services.call_is_editable(call)
    context = {
        "intervention": intervention,
        "call": call,
        "sections": selectors.sections(intervention, user, call_editable=call_editable),
        "call_form": CallForm.for_call(call),
        "intervention_form": InterventionForm.for_intervention(intervention),
        "note_form": NoteForm(),
        "expense_form": ExpenseForm(initial={"date": timezone.localdate(), "km_rate": "0.55"}),
        "resolve_form": ResolveByPhoneForm(),
        "can_add_notes": services.may_add_notes(intervention, user),
        "can_resolve": user.is_office_staff and intervention.state == "new",
        "can_follow_up": user.is_office_staff and call.status not in services.OPEN_STATES,
        "actions": [
            target
            for target in services.allowed_targets(intervention, user)
            if target in MANUAL_TARGETS
        ],
        "errors": errors or {},
        "flash": flash,
        **selectors.management_data(intervention, user),
        **_completion(intervention, user),
    }
    context.update(forms or {})
    context["actions"] = [
        {"state": state, "label": services.state_label(state), "needs_reason": needs}
        for state in context["actions"]
        for needs in [(intervention.state, state) in services.REASON_REQUIRED]
    ]
    return render(request, "calls/manage.html", context)


@require_GET
@role_required(*EVERYONE)
def manage(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _render_manage(request, selectors.get_intervention_for(request.user, pk, number))


def _after_post(
    request: HttpRequest,
    intervention: Intervention,
    success: str,
    *,
    error: str = "",
    section: str = "",
    forms: dict | None = None,
) -> HttpResponse:
    """htmx: the refreshed page (its ``#management`` is swapped in); plain POST: redirect
    after success, the page with the errors otherwise."""
    fresh = selectors.get_intervention_for(request.user, intervention.call_id, intervention.number)
    if error or forms:
        return _render_manage(
            request, fresh, forms=forms, errors={section: error} if error else None
        )
    if request.htmx:
        return _render_manage(request, fresh, flash=success)
    messages.success(request, success)
    return redirect(fresh.get_absolute_url())


@require_POST
@role_required(*STAFF)
def call_update(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    call = intervention.call
    form = CallForm.for_call(call, request.POST)
    if not form.is_valid():
        return _after_post(request, intervention, "", forms={"call_form": form})
    data = form.cleaned_data
    try:
        services.update_call(
            call=call,
            acting_user=request.user,
            version=data["version"],
            site=data["site"],
            contact=data["contact"],
            unit=data["unit"],
            description=data["description"],
            channel=data["channel"],
            priority=data["priority"],
            received_at=data["received_at"],
        )
    except CallError as error:
        return _after_post(
            request,
            intervention,
            "",
            error=error.message,
            section="call",
            forms={"call_form": form},
        )
    return _after_post(request, intervention, _("Call data saved."))


@require_POST
@role_required(*STAFF)
def intervention_update(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    form = InterventionForm(request.POST)
    if not form.is_valid():
        return _after_post(request, intervention, "", forms={"intervention_form": form})
    try:
        services.fill_intervention_section(
            intervention=intervention, acting_user=request.user, **form.cleaned_data
        )
    except CallError as error:
        return _after_post(
            request,
            intervention,
            "",
            error=error.message,
            section="intervention",
            forms={"intervention_form": form},
        )
    return _after_post(request, intervention, _("Intervention data saved."))


@require_POST
@role_required(*EVERYONE)
def note_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _after_post(request, intervention, "", forms={"note_form": form})
    data = dict(form.cleaned_data)
    token = data.pop("submission_token")
    try:
        with idempotency.once(token, request.user):
            services.add_note(intervention=intervention, acting_user=request.user, **data)
    except idempotency.AlreadySubmitted:
        return _after_post(request, intervention, idempotency.ALREADY_SAVED)
    except CallError as error:
        return _after_post(
            request,
            intervention,
            "",
            error=error.message,
            section="notes",
            forms={"note_form": form},
        )
    return _after_post(request, intervention, _("Note added."))


@require_POST
@role_required(*EVERYONE)
def intervention_transition(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _after_post(request, intervention, "", error=_("Unknown state."), section="state")
    to_state = form.cleaned_data["to_state"]
    if to_state not in MANUAL_TARGETS and to_state in services.TRANSITIONS[intervention.state]:
        # Allowed by the map, but only through its own section and its checks (a quote, the
        # completion with signature, an invoice): never as a bare state change.
        return _after_post(
            request,
            intervention,
            "",
            error=_("“%(state)s” is set from its own section of this page, not from here.")
            % {"state": services.state_label(to_state)},
            section="state",
        )
    try:
        services.transition(
            intervention=intervention,
            to_state=to_state,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="state")
    return _after_post(
        request,
        intervention,
        _("The intervention is now “%(state)s”.") % {"state": services.state_label(to_state)},
    )


@require_POST
@role_required(*STAFF)
def resolve_by_phone(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    form = ResolveByPhoneForm(request.POST)
    form.is_valid()
    try:
        services.resolve_by_phone(
            call=intervention.call,
            acting_user=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="call")
    return _after_post(request, intervention, _("The call was resolved by phone."))


@require_POST
@role_required(*STAFF)
def follow_up(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A new intervention on the same call; its management page opens."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    try:
        created = services.add_follow_up_intervention(
            call=intervention.call, acting_user=request.user
        )
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="call")
    messages.success(request, _("Intervention %(code)s created.") % {"code": created.code})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = created.get_absolute_url()
        return response
    return redirect(created.get_absolute_url())


# --- Section 3: the quote ---------------------------------------------------------------------
@require_POST
@role_required(*STAFF)
def quote_create(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Build the quote from the chosen price list (only one of those offered to this call)."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    chosen = request.POST.get("price_list", "")
    offered = {str(pl.pk): pl for pl in selectors.offered_price_lists(intervention)}
    if chosen not in offered:
        return _after_post(
            request, intervention, "", error=_("Choose one of the price lists."), section="quote"
        )
    try:
        quote = services.quote_intervention(
            intervention=intervention, price_list=offered[chosen], acting_user=request.user
        )
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="quote")
    return _after_post(request, intervention, _("Quote %(code)s created.") % {"code": quote.code})


# --- Section 4: travel expenses ---------------------------------------------------------------
@require_POST
@role_required(*EVERYONE)
def expense_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    form = ExpenseForm(request.POST, request.FILES)
    if not form.is_valid():
        return _after_post(request, intervention, "", forms={"expense_form": form})
    data = dict(form.cleaned_data)
    token = data.pop("submission_token")
    try:
        with idempotency.once(token, request.user):
            actuals.add_expense(intervention=intervention, acting_user=request.user, **data)
    except idempotency.AlreadySubmitted:
        return _after_post(request, intervention, idempotency.ALREADY_SAVED)
    except CallError as error:
        return _after_post(
            request,
            intervention,
            "",
            error=error.message,
            section="hours",
            forms={"expense_form": form},
        )
    return _after_post(request, intervention, _("Expense recorded."))


@require_POST
@role_required(*EVERYONE)
def expense_delete(request: HttpRequest, pk: int, number: int, expense_pk: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    expense = get_object_or_404(Expense, pk=expense_pk, intervention=intervention)
    try:
        actuals.delete_expense(expense=expense, acting_user=request.user)
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="hours")
    return _after_post(request, intervention, _("Expense removed."))


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
        "can_record": actuals.may_record(intervention, request.user),
        "under_warranty": selectors.unit_under_warranty(intervention),
    }
    return render(request, "calls/sections/part_results.html", context)


@require_POST
@role_required(*EVERYONE)
def part_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    form = PartUsedForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for field in form.errors.values() for e in field)
        return _after_post(request, intervention, "", error=errors, section="parts")
    data = dict(form.cleaned_data)
    token = data.pop("submission_token")
    try:
        with idempotency.once(token, request.user):
            actuals.add_part(intervention=intervention, acting_user=request.user, **data)
    except idempotency.AlreadySubmitted:
        return _after_post(request, intervention, idempotency.ALREADY_SAVED)
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="parts")
    return _after_post(request, intervention, _("Part added."))


@require_POST
@role_required(*EVERYONE)
def part_remove(request: HttpRequest, pk: int, number: int, part_pk: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    part = get_object_or_404(PartUsed, pk=part_pk, intervention=intervention)
    try:
        actuals.remove_part(part=part, acting_user=request.user)
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="parts")
    return _after_post(request, intervention, _("Part removed."))


# --- Completion and the report ----------------------------------------------------------------
def _completion(intervention: Intervention, user) -> dict:
    """The completion box: shown once planned; the signature form to the assigned technician."""
    may_complete = intervention.state == State.PLANNED and (
        user.role == Role.ADMINISTRATOR
        or (user.role == Role.TECHNICIAN and intervention.technician_id == user.pk)
    )
    return {
        "show_completion": may_complete or intervention.signed_at is not None,
        "can_complete": may_complete,
        "completion_missing": actuals.completion_missing(intervention) if may_complete else [],
    }


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
    """The customer signed on the page: store the signature and mark the intervention done."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    try:
        actuals.complete_intervention(
            intervention=intervention,
            acting_user=request.user,
            signature_png=_signature_bytes(request.POST.get("signature", "")),
            signed_by=request.POST.get("signed_by", "")[:200],
        )
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="completion")
    return _after_post(request, intervention, _("The intervention is done: the report is ready."))


@require_GET
@role_required(*EVERYONE)
def report_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The intervention report (rapportino) in the customer's language, once signed."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    if intervention.signed_at is None:
        raise Http404
    response = HttpResponse(documents.report_pdf(intervention), content_type="application/pdf")
    filename = f"report-{intervention.code.replace('/', '-')}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@role_required(*EVERYONE)
def report_send(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    try:
        email = actuals.send_report(intervention=intervention, acting_user=request.user)
    except CallError as error:
        return _after_post(request, intervention, "", error=error.message, section="completion")
    return _after_post(
        request, intervention, _("The report is being sent to %(email)s.") % {"email": email}
    )
