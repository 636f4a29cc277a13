"""Checklists (schede di lavoro) of interventions: which version an intervention gets, what an
answer may be, what is still missing before completion. Reads and rules only; the writes are in
``calls.services.checklists``.

An intervention gets the current version of its type's checklist when its type is set and again
when it is planned (the office may have published a new version meanwhile), as long as nothing
was answered; then it keeps the version it got, whatever the administrators edit later.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from calls.models import (
    Attachment,
    AttachmentKind,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistItemKind,
    ChecklistTemplate,
    Intervention,
)

YES, NO = "yes", "no"


class AnswerRefused(ValueError):
    """An answer that does not fit its item; the message is translated for the user."""


def current_template(type_id: int | None) -> ChecklistTemplate | None:
    if type_id is None:
        return None
    return ChecklistTemplate.objects.filter(intervention_type_id=type_id, is_current=True).first()


def attach(intervention: Intervention) -> None:
    """Give ``intervention`` (locked by the caller) the current checklist of its type, unless
    answers were already given on the version it has."""
    if intervention.checklist_answers.exists():
        return
    template = current_template(intervention.type_id)
    if (template.pk if template else None) != intervention.checklist_id:
        intervention.checklist = template
        # Not an edit of the intervention: no version bump (service_portal.models.Versioned).
        intervention.save(update_fields=["checklist"])


def items_with_answers(
    intervention: Intervention,
) -> list[tuple[ChecklistItem, ChecklistAnswer | None]]:
    """The checklist's items in order, each with its answer on ``intervention`` (or None);
    two queries whatever the number of items."""
    if intervention.checklist_id is None:
        return []
    items = list(
        ChecklistItem.objects.filter(template_id=intervention.checklist_id).prefetch_related(
            Prefetch(
                "answers",
                queryset=ChecklistAnswer.objects.filter(intervention=intervention).select_related(
                    "photo"
                ),
                to_attr="these_answers",
            )
        )
    )
    return [(item, item.these_answers[0] if item.these_answers else None) for item in items]


def missing(intervention: Intervention) -> list[str]:
    """The labels of the required items not answered yet."""
    if intervention.checklist_id is None:
        return []
    answered = ChecklistAnswer.objects.filter(intervention=intervention).values("item_id")
    return [
        item.label
        for item in ChecklistItem.objects.filter(
            template_id=intervention.checklist_id, required=True
        ).exclude(pk__in=answered)
    ]


def _number(raw: str) -> Decimal:
    try:
        value = Decimal(raw.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise AnswerRefused(_("Type a number.")) from None
    if not value.is_finite() or abs(value) >= Decimal("1e9"):
        raise AnswerRefused(_("Type a number."))
    return value


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown_number(stored: str) -> str:
    """A stored number answer ("4.5") as the active language writes it ("4,5" in Italian)."""
    return number_format(Decimal(stored))


def clean_answer(
    item: ChecklistItem, raw: str, intervention: Intervention
) -> tuple[str, Attachment | None]:
    """The value to store for ``raw`` (and the photo for a photo item); "" means no answer.
    Raises ``AnswerRefused`` with a message naming the problem."""
    raw = (raw or "").strip()
    if not raw:
        return "", None
    if item.kind == ChecklistItemKind.YES_NO:
        if raw not in (YES, NO):
            raise AnswerRefused(_("Answer yes or no."))
        return raw, None
    if item.kind == ChecklistItemKind.NUMBER:
        value = _number(raw)
        low, high = item.min_value, item.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = {
                "min": shown_number(_plain(low)) if low is not None else "…",
                "max": shown_number(_plain(high)) if high is not None else "…",
                "unit": item.unit,
            }
            raise AnswerRefused(
                _("The value must be between %(min)s and %(max)s %(unit)s.") % bounds
            )
        return _plain(value), None
    if item.kind == ChecklistItemKind.CHOICE:
        if raw not in item.choices:
            raise AnswerRefused(_("Choose one of the options."))
        return raw, None
    if item.kind == ChecklistItemKind.PHOTO:
        photo = Attachment.objects.filter(
            pk=int(raw) if raw.isdigit() else 0,
            intervention=intervention,
            kind=AttachmentKind.PHOTO,
        ).first()
        if photo is None:
            raise AnswerRefused(_("Choose one of this intervention's photos."))
        return str(photo.pk), photo
    if len(raw) > 2000:
        raise AnswerRefused(_("At most 2000 characters."))
    return raw, None


def display(item: ChecklistItem, answer: ChecklistAnswer | None) -> str:
    """The answer as printed on the page and in the report."""
    if answer is None:
        return ""
    if item.kind == ChecklistItemKind.YES_NO:
        return _("Yes") if answer.value == YES else _("No")
    if item.kind == ChecklistItemKind.NUMBER:
        return f"{shown_number(answer.value)} {item.unit}".strip()
    if item.kind == ChecklistItemKind.PHOTO:
        return answer.photo.title if answer.photo else ""
    return answer.value
