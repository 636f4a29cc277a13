"""Photos, documents and the checklist of an intervention on the management page (issue 21).

Every view reaches the intervention through ``selectors.get_intervention_for`` (404 to those
who may not see it) and posts through ``section_post``: the service decides, the refreshed page
shows its refusal."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls import selectors
from calls.forms import DocumentForm, PhotoForm
from calls.models import Attachment, ChecklistItem, Intervention
from calls.services import CallError, checklists, media
from calls.views.management import after_post, current_version, render_manage, section_post
from service_portal import idempotency, offline
from service_portal.permissions import role_required
from service_portal.roles import EVERYONE


@require_POST
@role_required(*EVERYONE)
def photo_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: media.add_photo(
            intervention=intervention, acting_user=request.user, upload=data["file"]
        ),
        section="photos",
        success=_("Photo added."),
        form=PhotoForm(request.POST, request.FILES),
        form_name="photo_form",
        once=True,
    )


@require_POST
@role_required(*EVERYONE)
def document_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    return section_post(
        request,
        intervention,
        lambda data: media.add_document(
            intervention=intervention, acting_user=request.user, upload=data["file"]
        ),
        section="photos",
        success=_("Document attached."),
        form=DocumentForm(request.POST, request.FILES),
        form_name="document_form",
        once=True,
    )


@require_POST
@role_required(*EVERYONE)
def attachment_remove(
    request: HttpRequest, pk: int, number: int, attachment_pk: int
) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, intervention=intervention)
    return section_post(
        request,
        intervention,
        lambda data: media.remove_attachment(attachment=attachment, acting_user=request.user),
        section="photos",
        success=_("Removed."),
    )


@require_POST
@role_required(*EVERYONE)
def photo_tag(request: HttpRequest, pk: int, number: int, attachment_pk: int) -> HttpResponse:
    intervention = selectors.get_intervention_for(request.user, pk, number)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, intervention=intervention)
    return section_post(
        request,
        intervention,
        lambda data: media.tag_photo(
            attachment=attachment, acting_user=request.user, tag=request.POST.get("tag", "")
        ),
        section="photos",
        success=_("Saved."),
    )


@require_GET
@role_required(*EVERYONE)
def attachment_file(
    request: HttpRequest, pk: int, number: int, attachment_pk: int, thumbnail: bool = False
) -> FileResponse:
    """The photo, its thumbnail or the document, only to those who may see the intervention
    (404 for anyone else), never as HTML (the type stored, ``nosniff``)."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, intervention=intervention)
    file = attachment.thumbnail if thumbnail else attachment.file
    if not file:
        raise Http404
    content_type = "image/jpeg" if thumbnail else attachment.content_type
    response = FileResponse(file.open("rb"), content_type=content_type)
    extension = ".pdf" if content_type == "application/pdf" else ".jpg"
    response["Content-Disposition"] = f'inline; filename="attachment-{attachment.pk}{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@role_required(*EVERYONE)
def checklist_save(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """All the answers of the form at once (item-<id> fields), the form without JavaScript:
    each answer that fits is saved; the refused ones come back on the form as typed, each with
    its message. The phone's outbox gets a JSON answer (``service_portal.offline``)."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    if refusal := offline.wrong_sender(request):
        return refusal
    queued = offline.is_queued(request)
    answers = {
        int(key.removeprefix("item-")): value[:2000]
        for key, value in request.POST.items()
        if key.startswith("item-") and key.removeprefix("item-").isdigit()
    }
    invalid = None
    try:
        with transaction.atomic():
            offline.check_fresh(request, Intervention, intervention.pk)
            try:
                checklists.save_answers(
                    intervention=intervention, acting_user=request.user, answers=answers
                )
            except checklists.ChecklistInvalid as refused:
                invalid = refused  # the answers that fit are saved all the same
    except offline.StaleCopy as stale:
        if queued:
            return offline.conflict(stale.version)
        return after_post(request, intervention, "", error=str(stale.message), section="checklist")
    except CallError as error:
        if queued:
            return offline.refused(error.message, current_version(intervention))
        return after_post(request, intervention, "", error=error.message, section="checklist")
    if invalid is not None:
        if queued:
            details = "; ".join(invalid.errors.values())
            return offline.refused(f"{invalid.message} {details}", current_version(intervention))
        fresh = selectors.get_intervention_for(request.user, pk, number)
        return render_manage(
            request,
            fresh,
            errors={"checklist": invalid.message},
            checklist_errors=invalid.errors,
            checklist_values=answers,
        )
    if queued:
        return offline.answer(
            offline.SAVED, _("Checklist saved."), version=current_version(intervention)
        )
    return after_post(request, intervention, _("Checklist saved."))


@require_POST
@role_required(*EVERYONE)
def checklist_item_save(request: HttpRequest, pk: int, number: int, item_pk: int) -> HttpResponse:
    """One item's answer, sent when its field changes (htmx) or later by the phone's outbox:
    once per submission token, checked against the job's version like the other entries.
    htmx gets the page and swaps the item (its saved state or its own error) and the
    completion box (the required items still missing)."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    item = get_object_or_404(ChecklistItem, pk=item_pk, template_id=intervention.checklist_id or 0)
    if refusal := offline.wrong_sender(request):
        return refusal
    queued = offline.is_queued(request)
    raw = request.POST.get(f"item-{item.pk}", "")[:2000]

    def item_refused(message: str) -> HttpResponse:
        if queued:
            return offline.refused(message, current_version(intervention))
        fresh = selectors.get_intervention_for(request.user, pk, number)
        return render_manage(
            request, fresh, checklist_errors={item.pk: message}, checklist_values={item.pk: raw}
        )

    token = idempotency.parse_token(request.POST.get(f"token-{item.pk}"))
    if token is None:
        return item_refused(str(idempotency.MISSING_TOKEN))
    try:
        with idempotency.once(token, request.user):
            offline.check_fresh(request, Intervention, intervention.pk)
            checklists.save_answer(
                intervention=intervention, acting_user=request.user, item=item, raw=raw
            )
    except idempotency.AlreadySubmitted:
        if queued:
            return offline.answer(
                offline.ALREADY_SAVED,
                idempotency.ALREADY_SAVED,
                version=current_version(intervention),
            )
        return _saved(request, intervention, str(idempotency.ALREADY_SAVED))
    except offline.StaleCopy as stale:
        if queued:
            return offline.conflict(stale.version)
        return item_refused(str(stale.message))
    except checklists.ChecklistInvalid as invalid:
        return item_refused(invalid.errors.get(item.pk, invalid.message))
    except CallError as error:
        # Frozen by the signature, or no longer planned: the whole page says why.
        if queued:
            return offline.refused(error.message, current_version(intervention))
        fresh = selectors.get_intervention_for(request.user, pk, number)
        response = render_manage(request, fresh, errors={"checklist": error.message})
        if request.htmx:
            response["HX-Retarget"] = "#management"
            response["HX-Reselect"] = "#management"
            response["HX-Reswap"] = "outerHTML"
        return response
    if queued:
        return offline.answer(offline.SAVED, _("Saved."), version=current_version(intervention))
    return _saved(request, intervention, _("Saved."))


def _saved(request: HttpRequest, intervention: Intervention, message: str) -> HttpResponse:
    """htmx: the page (the item's saved state is swapped in); a plain POST: back to the page."""
    if request.htmx:
        fresh = selectors.get_intervention_for(
            request.user, intervention.call_id, intervention.number
        )
        return render_manage(request, fresh)
    messages.success(request, message)
    return redirect(intervention.get_absolute_url())
