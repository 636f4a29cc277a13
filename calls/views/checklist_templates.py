"""The administrators' checklist pages (issue 21): the list of checklists per intervention type
and one page to create or edit one (its items as a one-column list of small forms).

Saving a version that interventions already got makes the next version
(``calls.services.checklists.save_template``); the page says so before saving."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from calls.forms import ChecklistItemFormSet, ChecklistTemplateForm
from calls.models import ChecklistTemplate, Intervention
from calls.services import CallError, checklists
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS

ITEM_INITIAL = ("label", "kind", "unit", "min_value", "max_value", "options")


@require_http_methods(["GET"])
@role_required(*ADMINISTRATORS)
def template_list(request: HttpRequest) -> HttpResponse:
    templates = (
        ChecklistTemplate.objects.select_related("intervention_type")
        .annotate(
            item_count=Count("items", distinct=True),
            in_use=Exists(Intervention.objects.filter(checklist=OuterRef("pk"))),
        )
        .order_by("intervention_type__position", "intervention_type__code", "-number")
    )
    return render(request, "calls/checklist_templates.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
@role_required(*ADMINISTRATORS)
def template_edit(request: HttpRequest, template_pk: int | None = None) -> HttpResponse:
    template = None
    initial_items: list[dict] = []
    if template_pk is not None:
        template = get_object_or_404(
            ChecklistTemplate.objects.select_related("intervention_type"), pk=template_pk
        )
        initial_items = [
            {
                "source": item.pk,
                "optional": not item.required,
                **{f: getattr(item, f) for f in ITEM_INITIAL},
            }
            for item in template.items.all()
        ]
    in_use = template is not None and template.interventions.exists()
    initial = (
        {"intervention_type": template.intervention_type, "name": template.name}
        if template
        else None
    )
    if request.method == "POST":
        form = _template_form(template, request.POST, initial=initial)
        items = ChecklistItemFormSet(request.POST, prefix="items")
        if form.is_valid() and items.is_valid():
            data = [
                {
                    "required": not item["optional"],
                    **{k: v for k, v in item.items() if k not in ("DELETE", "optional")},
                }
                for item in items.cleaned_data
                if item and not item.get("DELETE")
            ]
            try:
                saved = checklists.save_template(
                    acting_user=request.user,
                    intervention_type=form.cleaned_data["intervention_type"],
                    name=form.cleaned_data["name"],
                    items=data,
                    template=template,
                )
            except CallError as error:
                form.add_error(None, error.message)
            else:
                if template is not None and saved.pk != template.pk:
                    messages.success(
                        request,
                        _(
                            "Saved as version %(number)s: the interventions that have version "
                            "%(old)s keep it."
                        )
                        % {"number": saved.number, "old": template.number},
                    )
                else:
                    messages.success(request, _("Checklist saved."))
                return redirect("calls:checklist_template_edit", saved.pk)
    else:
        form = _template_form(template, initial=initial)
        items = ChecklistItemFormSet(initial=initial_items, prefix="items")
    context = {"form": form, "items": items, "template": template, "in_use": in_use}
    return render(request, "calls/checklist_template_edit.html", context)


def _template_form(template: ChecklistTemplate | None, *args, **kwargs) -> ChecklistTemplateForm:
    form = ChecklistTemplateForm(*args, **kwargs)
    if template is not None:  # a checklist stays with its type
        form.fields["intervention_type"].disabled = True
    return form
