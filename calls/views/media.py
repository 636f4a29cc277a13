"""Photos, documents and the checklist of an intervention on the management page (issue 21).

Every view reaches the intervention through ``selectors.get_intervention_for`` (404 to those
who may not see it) and posts through ``section_post``: the service decides, the refreshed page
shows its refusal."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls import selectors
from calls.forms import DocumentForm, PhotoForm
from calls.models import Attachment
from calls.services import CallError, checklists, media
from calls.views.management import after_post, render_manage, section_post
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
    """All the answers of the form at once (item-<id> fields); refused answers come back on
    the form as typed, each with its message, and nothing is saved."""
    intervention = selectors.get_intervention_for(request.user, pk, number)
    answers = {
        int(key.removeprefix("item-")): value[:2000]
        for key, value in request.POST.items()
        if key.startswith("item-") and key.removeprefix("item-").isdigit()
    }
    try:
        checklists.save_answers(
            intervention=intervention, acting_user=request.user, answers=answers
        )
    except checklists.ChecklistInvalid as invalid:
        fresh = selectors.get_intervention_for(request.user, pk, number)
        return render_manage(
            request,
            fresh,
            errors={"checklist": invalid.message},
            checklist_errors=invalid.errors,
            checklist_values=answers,
        )
    except CallError as error:
        return after_post(request, intervention, "", error=error.message, section="checklist")
    return after_post(request, intervention, _("Checklist saved."))
