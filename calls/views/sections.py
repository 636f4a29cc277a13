"""The management page's forms for the call, the intervention, its state, the notes and the
quote; each posts through ``management.section_post``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls import access, selectors, services
from calls.forms import (
    CallForm,
    FollowUpForm,
    InterventionForm,
    NoteForm,
    ResolveByPhoneForm,
    TransitionForm,
)
from calls.services import MANUAL_TARGETS, CallError, clocks
from calls.views.management import after_post, section_post
from service_portal.permissions import role_required
from service_portal.roles import EVERYONE, STAFF


@require_POST
@role_required(*STAFF)
def call_update(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    call = intervention.call
    return section_post(
        request,
        intervention,
        lambda data: services.update_call(call=call, acting_user=request.user, **data),
        section="call",
        success=_("Call data saved."),
        form=CallForm.for_call(call, request.POST),
        form_name="call_form",
    )


@require_POST
@role_required(*STAFF)
def intervention_update(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: services.fill_intervention_section(
            intervention=intervention, acting_user=request.user, **data
        ),
        section="intervention",
        success=_("Intervention data saved."),
        form=InterventionForm(request.POST),
        form_name="intervention_form",
    )


@require_POST
@role_required(*EVERYONE)
def note_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: services.add_note(intervention=intervention, acting_user=request.user, **data),
        section="notes",
        success=_("Note added."),
        form=NoteForm(request.POST),
        form_name="note_form",
        once=True,
    )


@require_POST
@role_required(*EVERYONE)
def intervention_transition(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return after_post(request, intervention, "", error=_("Unknown state."), section="state")
    to_state = form.cleaned_data["to_state"]
    if to_state not in MANUAL_TARGETS and to_state in access.TRANSITIONS[intervention.state]:
        # Allowed by the map, but only through its own section and its checks (a quote, the
        # completion with signature, an invoice): never as a bare state change.
        return after_post(
            request,
            intervention,
            "",
            error=_("“%(state)s” is set from its own section of this page, not from here.")
            % {"state": services.state_label(to_state)},
            section="state",
        )
    return section_post(
        request,
        intervention,
        lambda data: services.transition(
            intervention=intervention,
            to_state=to_state,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
        ),
        section="state",
        success=_("The intervention is now “%(state)s”.")
        % {"state": services.state_label(to_state)},
    )


@require_POST
@role_required(*STAFF)
def resolve_by_phone(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Close the call as resolved by phone; the solution is required (kept as typed if not)."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: services.resolve_by_phone(
            call=intervention.call, acting_user=request.user, **data
        ),
        section="call",
        success=_("The call was resolved by phone."),
        form=ResolveByPhoneForm(request.POST),
        form_name="resolve_form",
    )


@require_POST
@role_required(*STAFF)
def follow_up(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A new intervention on the same call, starting with why; its management page opens."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(m) for m in form.errors.get("reason", [])) or _("Unknown state.")
        return after_post(request, intervention, "", error=error, section="state")
    try:
        created = services.add_follow_up_intervention(
            call=intervention.call, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
    except CallError as error:
        return after_post(request, intervention, "", error=error.message, section="state")
    messages.success(request, _("Intervention %(code)s created.") % {"code": created.code})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = created.get_absolute_url()
        return response
    return redirect(created.get_absolute_url())


@require_POST
@role_required(*STAFF)
def sla_action(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The SLA clocks: wait for the customer (with the reason), resume, record the first answer."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    action = request.POST.get("action", "")
    call = intervention.call
    try:
        if action == "wait":
            clocks.wait_for_customer(
                call=call, acting_user=request.user, reason=request.POST.get("reason", "")[:200]
            )
            done = _("The clocks stand still until the customer answers.")
        elif action == "resume":
            clocks.resume(call=call, acting_user=request.user)
            done = _("The clocks run again.")
        elif action == "answer":
            clocks.record_answer(call=call, acting_user=request.user)
            done = _("First answer recorded.")
        else:
            return after_post(request, intervention, "", error=_("Unknown action."), section="sla")
    except CallError as error:
        return after_post(request, intervention, "", error=error.message, section="sla")
    return after_post(request, intervention, done)


@require_POST
@role_required(*STAFF)
def quote_create(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Build the quote from the chosen price list (only one of those offered to this call)."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    chosen = request.POST.get("price_list", "")
    offered = {str(pl.pk): pl for pl in selectors.offered_price_lists(intervention)}
    if chosen not in offered:
        return after_post(
            request, intervention, "", error=_("Choose one of the price lists."), section="quote"
        )
    return section_post(
        request,
        intervention,
        lambda data: services.quote_intervention(
            intervention=intervention, price_list=offered[chosen], acting_user=request.user
        ),
        section="quote",
        success=lambda quote: _("Quote %(code)s created.") % {"code": quote.code},
    )


@require_POST
@role_required(*STAFF)
def quote_send(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """E-mail the quote to the call's contact, with the link to accept or decline it."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: services.send_intervention_quote(
            intervention=intervention, acting_user=request.user
        ),
        section="quote",
        success=lambda quote: (
            _("Quote %(code)s sent to %(email)s for acceptance.")
            % {"code": quote.code, "email": quote.contact.email}
        ),
    )


@require_POST
@role_required(*STAFF)
def offer_create(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A spare-part offer for this call's customer and unit, linked to the call; its cart next."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    try:
        offer = services.create_offer_for_intervention(
            intervention=intervention, acting_user=request.user
        )
    except CallError as error:
        return after_post(request, intervention, "", error=error.message, section="quote")
    target = reverse("orders:offer_cart", args=[offer.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)
