"""The management page (gestione chiamata) of one intervention: its sections, the actions
``calls.access`` allows the reader, and the one flow every section form goes through.

Thin: parse, call a service, render. Section forms post with htmx (the page's ``#management``
block is swapped, no reload) and as plain POSTs (redirect after success)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from calls import access, fieldwork, selectors, services, sla
from calls import maintenance as maintenance_rules
from calls.forms import (
    CallForm,
    CompletionForm,
    CounterReadingForm,
    ExpenseForm,
    InterventionForm,
    NoteForm,
    ResolveByPhoneForm,
)
from calls.models import Intervention
from calls.services import MANUAL_TARGETS, CallError, actuals
from calls.services import maintenance as maintenance_services
from service_portal import idempotency, offline
from service_portal.permissions import role_required
from service_portal.roles import EVERYONE


# --- The management page --------------------------------------------------------------------
@require_GET
@role_required(*EVERYONE)
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A call's address: its latest intervention the user may see."""
    call = selectors.get_call_for(request.user, pk)
    return redirect("calls:manage", call.pk, selectors.latest_number_for(request.user, call))


def render_manage(
    request: HttpRequest,
    intervention: Intervention,
    *,
    forms: dict | None = None,
    errors: dict | None = None,
    flash: str = "",
    checklist_errors: dict | None = None,
    checklist_values: dict | None = None,
) -> HttpResponse:
    user = request.user
    call = intervention.call
    allowed = access.allowed_actions(intervention, user)  # asked once, displayed below
    context = {
        "intervention": intervention,
        "call": call,
        "sections": selectors.sections(
            intervention, user, call_editable=access.call_is_editable(call)
        ),
        # Built when the page shows them (see _when_shown).
        "call_form": _when_shown(lambda: CallForm.for_call(call)),
        "intervention_form": _when_shown(
            lambda: InterventionForm.for_intervention(
                intervention, under_warranty=actuals.unit_under_warranty(intervention)
            )
        ),
        "note_form": _when_shown(lambda: NoteForm(kinds=access.note_kinds(intervention, user))),
        "expense_form": _when_shown(
            lambda: ExpenseForm(initial={"date": timezone.localdate(), "km_rate": settings.KM_RATE})
        ),
        "resolve_form": _when_shown(ResolveByPhoneForm),
        "can_add_notes": allowed.add_notes,
        "can_resolve": allowed.resolve_by_phone,
        "can_follow_up": allowed.follow_up,
        "can_create_offer": allowed.create_offer,
        "sla_clocks": sla.clocks(call),
        "can_edit_clocks": access.may_edit_call(call, user) and call.contract_id is not None,
        "actions": [
            {
                "state": state,
                "label": services.state_label(state),
                "needs_reason": (intervention.state, state) in services.REASON_REQUIRED,
            }
            for state in allowed.targets
            if state in MANUAL_TARGETS
        ],
        "errors": errors or {},
        "flash": flash,
        **selectors.management_data(intervention, user),
        **_completion(intervention, allowed),
        **_counter(intervention, user),
        # Photos, documents and the checklist (issue 21).
        **{name: _when_shown(make) for name, make in fieldwork.form_makers(user).items()},
        **fieldwork.context(
            intervention,
            user,
            checklist_errors=checklist_errors,
            checklist_values=checklist_values,
        ),
    }
    context.update(forms or {})
    return render(request, "calls/manage.html", context)


def _when_shown(make: Callable[[], Any]) -> Any:
    """A section's form, built the first time the template reads it: most sections show their
    form only in some states (an editable call, a visit to record), and building one copies its
    fields, draws its submission token and, for the call and intervention forms, prepares
    their choices' querysets. The template reads it as the form itself."""
    return SimpleLazyObject(make)


def _counter(intervention: Intervention, user) -> dict[str, Any]:
    """The unit's running-hours counter: its latest reading and the form (one query)."""
    if intervention.call.unit_id is None:
        return {}
    return {
        "counter_last": maintenance_rules.latest_reading(intervention.call.unit_id),
        "can_record_reading": maintenance_services.may_record_reading(user, intervention),
        "counter_form": _when_shown(
            lambda: CounterReadingForm(initial={"read_on": timezone.localdate()})
        ),
    }


@require_GET
@role_required(*EVERYONE)
def manage(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return render_manage(request, selectors.get_intervention_for(request.user, pk, number))


def after_post(
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
        return render_manage(
            request, fresh, forms=forms, errors={section: error} if error else None
        )
    if request.htmx:
        return render_manage(request, fresh, flash=success)
    messages.success(request, success)
    return redirect(fresh.get_absolute_url())


def section_post(
    request: HttpRequest,
    intervention: Intervention,
    action: Callable[[dict], Any],
    *,
    section: str,
    success: str | Callable[[Any], str],
    form: Any = None,
    form_name: str = "",
    once: bool = False,
) -> HttpResponse:
    """The one flow of the section forms: validate ``form``, run ``action`` with its data, then
    the refreshed page with the service's refusal on ``section`` (the form kept as typed) or
    with ``success`` (a text, or made from what ``action`` returned).

    ``form_name``: the form is shown again with its field errors under that name; without it,
    its errors are the section's error line. ``once``: the form's submission token makes a
    double submit create nothing twice (the repeat is told it was already saved).
    A form sent later by the phone's outbox gets a JSON answer instead, and is refused when the
    job changed since the copy it was typed on (``service_portal.offline``).
    """
    if refusal := offline.wrong_sender(request):
        return refusal
    queued = offline.is_queued(request)
    forms = {form_name: form} if form is not None and form_name else None
    data: dict = {}
    if form is not None:
        if not form.is_valid():
            if queued:
                return offline.refused(offline.form_errors(form), current_version(intervention))
            if forms:
                return after_post(request, intervention, "", forms=forms)
            errors = "; ".join(str(e) for field in form.errors.values() for e in field)
            return after_post(request, intervention, "", error=errors, section=section)
        data = dict(form.cleaned_data)
    try:
        if once:
            with idempotency.once(data.pop("submission_token"), request.user):
                offline.check_fresh(request, Intervention, intervention.pk)
                result = action(data)
        else:
            with transaction.atomic():
                offline.check_fresh(request, Intervention, intervention.pk)
                result = action(data)
    except idempotency.AlreadySubmitted:
        if queued:
            return offline.answer(
                offline.ALREADY_SAVED,
                idempotency.ALREADY_SAVED,
                version=current_version(intervention),
            )
        return after_post(request, intervention, idempotency.ALREADY_SAVED)
    except offline.StaleCopy as stale:
        if queued:
            return offline.conflict(stale.version)
        return after_post(request, intervention, "", error=str(stale.message), section=section)
    except CallError as error:
        if queued:
            return offline.refused(error.message, current_version(intervention))
        return after_post(
            request, intervention, "", error=error.message, section=section, forms=forms
        )
    message = success(result) if callable(success) else success
    if queued:
        return offline.answer(offline.SAVED, message, version=current_version(intervention))
    return after_post(request, intervention, message)


def current_version(intervention: Intervention) -> int:
    """The job's version now (the outbox sends the next entries of this job with it)."""
    return Intervention.objects.values_list("version", flat=True).get(pk=intervention.pk)


def _completion(intervention: Intervention, allowed: access.InterventionActions) -> dict:
    """The completion box: shown once planned; the signature form to the assigned technician."""
    may_complete = allowed.complete
    return {
        "show_completion": may_complete or intervention.signed_at is not None,
        "can_complete": may_complete,
        "completion_missing": actuals.completion_missing(intervention) if may_complete else [],
        "completion_form": _when_shown(CompletionForm) if may_complete else None,
    }
