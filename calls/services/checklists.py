"""Writes of checklists (issue 21): the technician's answers, the administrators' templates.

Answers change while the intervention is planned, by its technician or the office, and are
frozen with the customer's signature (done, verified, invoiced), like hours and parts. Required
items are checked at completion (``calls.services.actuals.completion_missing``).

A template version that an intervention got is never edited: saving it makes the next version,
the current one from then on; the interventions keep theirs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from accounts.models import User
from calls import access
from calls import checklists as rules
from calls.access import FROZEN_STATES
from calls.models import (
    ChecklistAnswer,
    ChecklistItem,
    ChecklistItemKind,
    ChecklistTemplate,
    Intervention,
    InterventionType,
)
from calls.services import CallError, CallRoleRefused
from service_portal.roles import ADMINISTRATORS, has_role

# The fields of an item a template form edits (the translatable ones in the active language).
ITEM_FIELDS = ("position", "label", "kind", "required", "unit", "min_value", "max_value", "options")
# The fields that are the same in every language.
ITEM_PLAIN_FIELDS = ("position", "kind", "required", "min_value", "max_value")
TRANSLATED = {ChecklistTemplate: ("name",), ChecklistItem: ("label", "unit", "options")}


class ChecklistInvalid(CallError):
    """Some answers were refused: ``errors`` maps each item's id to its message. The other
    answers given with them were saved (``saved``: how many changed)."""

    def __init__(self, errors: dict[int, str], saved: int = 0) -> None:
        if saved:
            message = _("The other answers are saved; correct the items marked in red.")
        else:
            message = _("Some answers need correcting: see the items marked in red.")
        super().__init__(message)
        self.errors = errors
        self.saved = saved


def _lock_for_answers(intervention: Intervention, user: User) -> Intervention:
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not access.is_assigned_or_office(locked, user):
        raise CallRoleRefused(_("This intervention is not assigned to you."))
    if locked.state in FROZEN_STATES:
        raise CallError(
            _("The customer signed: the checklist answers are part of the report and frozen.")
        )
    if not access.may_record(locked, user):
        raise CallError(_("The checklist is filled while the intervention is planned."))
    return locked


def _store(
    locked: Intervention,
    item_id: int,
    cleaned: tuple[str, Any],
    existing: ChecklistAnswer | None,
    user: User,
) -> bool:
    """Write one cleaned answer ("" clears it); True when something changed."""
    value, photo = cleaned
    if not value:
        if existing is None:
            return False
        existing.delete()
        return True
    if existing is None:
        ChecklistAnswer.objects.create(
            intervention=locked, item_id=item_id, value=value, photo=photo, answered_by=user
        )
        return True
    if existing.value == value:
        return False
    existing.value, existing.photo, existing.answered_by = value, photo, user
    existing.save(update_fields=["value", "photo", "answered_by", "answered_at"])
    return True


def save_answers(*, intervention: Intervention, acting_user: User, answers: dict[int, str]) -> int:
    """Save the answers given (item id -> raw value; "" clears an answer), each on its own: an
    answer that does not fit its item is refused with its message, the others are saved all
    the same (a phone in a plant must not lose what was typed because of another item).
    Returns how many changed; raises ``ChecklistInvalid`` (after saving the others) when some
    were refused. Runs in the caller's transaction when there is one."""
    with transaction.atomic():
        locked = _lock_for_answers(intervention, acting_user)
        items = {
            item.pk: item for item in ChecklistItem.objects.filter(template_id=locked.checklist_id)
        }
        existing = {a.item_id: a for a in ChecklistAnswer.objects.filter(intervention=locked)}
        errors: dict[int, str] = {}
        changed = 0
        for item_id, raw in answers.items():
            item = items.get(item_id)
            if item is None:
                continue  # an item of another version: ignored, never stored
            try:
                cleaned = rules.clean_answer(item, raw, locked)
            except rules.AnswerRefused as refused:
                errors[item_id] = str(refused)
                continue
            changed += _store(locked, item_id, cleaned, existing.get(item_id), acting_user)
    if errors:
        raise ChecklistInvalid(errors, saved=changed)
    return changed


def save_answer(
    *, intervention: Intervention, acting_user: User, item: ChecklistItem, raw: str
) -> bool:
    """Save one item's answer (a phone saves each item as it is answered); ``ChecklistInvalid``
    with its message when it does not fit, nothing saved. True when it changed."""
    with transaction.atomic():
        locked = _lock_for_answers(intervention, acting_user)
        if item.template_id != locked.checklist_id:
            raise CallError(_("This item is not on this intervention's checklist."))
        try:
            cleaned = rules.clean_answer(item, raw, locked)
        except rules.AnswerRefused as refused:
            raise ChecklistInvalid({item.pk: str(refused)}) from None
        existing = ChecklistAnswer.objects.filter(intervention=locked, item=item).first()
        return _store(locked, item.pk, cleaned, existing, acting_user)


# --- Templates (administrators) ---------------------------------------------------------------
def _require_administrator(user: User) -> None:
    if not has_role(user, ADMINISTRATORS):
        raise CallRoleRefused(_("Only administrators define checklists."))


def _check_items(items: list[dict[str, Any]]) -> None:
    if not items:
        raise CallError(_("A checklist needs at least one item."))
    for data in items:
        label = data.get("label") or ""
        if (
            data["kind"] == ChecklistItemKind.CHOICE
            and "options" in data
            and len([line for line in (data.get("options") or "").splitlines() if line.strip()]) < 2
        ):
            raise CallError(
                _("“%(label)s”: a choice needs at least two options, one a line.")
                % {"label": label}
            )
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            raise CallError(
                _("“%(label)s”: the minimum is greater than the maximum.") % {"label": label}
            )


def _copy_translations(source: Any, target: Any) -> None:
    """Every language's text of ``source`` on ``target`` (the form then sets the active one)."""
    from django.conf import settings

    for field in TRANSLATED[type(source)]:
        for code, _name in settings.LANGUAGES:
            name = build_localized_fieldname(field, code)
            setattr(target, name, getattr(source, name))


@transaction.atomic
def save_template(
    *,
    acting_user: User,
    intervention_type: InterventionType,
    name: str | None,
    items: list[dict[str, Any]],
    template: ChecklistTemplate | None = None,
) -> ChecklistTemplate:
    """Create a type's checklist, or save ``template`` with ``items`` (each a dict of
    ``ITEM_FIELDS``, with ``source``: the item it edits, if any). The texts given are the
    active language's; ``name=None`` and items without ``label`` keep the source's texts.

    A version an intervention got is kept as it is: the next version is made, with the texts
    of the other languages copied from the items edited. Otherwise the version is edited.
    """
    _require_administrator(acting_user)
    _check_items(items)
    # One writer at a time per type: the versions' numbers and the "current" flag.
    InterventionType.objects.select_for_update().get(pk=intervention_type.pk)
    if template is not None:
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        if template.intervention_type_id != intervention_type.pk:
            raise CallError(_("This checklist belongs to another intervention type."))
    in_use = template is not None and template.interventions.exists()
    if template is None or in_use:
        last = ChecklistTemplate.objects.filter(intervention_type=intervention_type).aggregate(
            n=Max("number")
        )["n"]
        new = ChecklistTemplate(intervention_type=intervention_type, number=(last or 0) + 1)
        if template is not None:
            _copy_translations(template, new)
        ChecklistTemplate.objects.filter(
            intervention_type=intervention_type, is_current=True
        ).update(is_current=False)
        if name is not None:
            new.name = name.strip()
        new.is_current = True
        new.save()
        target = new
        sources = {i.pk: i for i in template.items.all()} if template is not None else {}
    else:
        if name is not None:
            template.name = name.strip()
        template.save()
        sources = {i.pk: i for i in template.items.all()}
        template.items.all().delete()
        target = template
    for position, data in enumerate(items, start=1):
        item = ChecklistItem(template=target)
        source = sources.get(data.get("source") or 0)
        if source is not None:
            _copy_translations(source, item)
        for field in ITEM_FIELDS:
            if field in data:
                setattr(item, field, data[field])
        item.position = data.get("position") or position
        if "label" in data:
            item.label = (data["label"] or "").strip()
        if item.kind != ChecklistItemKind.NUMBER:
            item.min_value = item.max_value = None
        item.save()
    return target


@transaction.atomic
def retire_template(*, acting_user: User, template: ChecklistTemplate) -> None:
    """New interventions of the type get no checklist (those that have one keep it)."""
    _require_administrator(acting_user)
    ChecklistTemplate.objects.filter(pk=template.pk).update(is_current=False)
