"""What the management page shows of the field work added by issue 21: the photos and
documents of the intervention and its checklist, with what the reader may do with them.
A fixed number of queries whatever the number of photos or items (three)."""

from __future__ import annotations

import uuid
from typing import Any

from accounts.models import User
from calls import access
from calls import checklists as rules
from calls.access import FROZEN_STATES
from calls.forms import DocumentForm, PhotoForm
from calls.models import Attachment, AttachmentKind, ChecklistItemKind, Intervention, ReportTag
from calls.selectors import in_order


def context(
    intervention: Intervention,
    user: User,
    *,
    checklist_errors: dict[int, str] | None = None,
    checklist_values: dict[int, str] | None = None,
) -> dict[str, Any]:
    # In the order they were added (the model's ordering starts with the intervention, always
    # this one; sorted here: selectors.in_order).
    attachments = in_order(Attachment.objects.filter(intervention=intervention), "created_at", "pk")
    photos = [a for a in attachments if a.kind == AttachmentKind.PHOTO]
    may_change_photos = access.may_record(intervention, user)
    rows = []
    errors = checklist_errors or {}
    values = checklist_values or {}
    for item, answer in rules.items_with_answers(intervention):
        rows.append(
            {
                "item": item,
                "answer": answer,
                "shown": rules.display(item, answer),
                # What the form shows: what was typed when refused, else the stored answer.
                "value": values.get(item.pk, _stored(item, answer)),
                "error": errors.get(item.pk, ""),
                # Each item is saved on its own (htmx), once per token (the phone's outbox).
                "token": uuid.uuid4(),
            }
        )
    return {
        "photos": photos,
        "documents": [a for a in attachments if a.kind == AttachmentKind.DOCUMENT],
        "can_change_photos": may_change_photos,
        "can_attach_documents": access.is_office(user) and intervention.state != "cancelled",
        "photos_frozen": intervention.state in FROZEN_STATES,
        "report_tags": ReportTag.choices,
        "checklist_rows": rows,
        "can_answer_checklist": may_change_photos and bool(rows),
        "checklist_kinds": ChecklistItemKind,
    }


def form_makers(user: User) -> dict[str, Any]:
    """The section's forms by their names in the page, each as what builds it."""
    return {"photo_form": PhotoForm, "document_form": DocumentForm}


def _stored(item, answer) -> str:
    """The stored answer as the form shows it: a number in the active language's writing."""
    if answer is None:
        return ""
    if item.kind == ChecklistItemKind.NUMBER and answer.value:
        return rules.shown_number(answer.value)
    return answer.value
