"""Master data for the system operator; calls themselves are handled in the portal pages."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from calls.models import (
    Call,
    CallPause,
    ChecklistItem,
    ChecklistTemplate,
    CounterReading,
    Intervention,
    InterventionTransition,
    InterventionType,
    MaintenanceOccurrence,
    MaintenancePart,
    MaintenancePlan,
    MaintenanceTask,
    SlaWarning,
)
from calls.services import CallError, checklists
from calls.services.checklists import ITEM_PLAIN_FIELDS
from service_portal.i18n import localized_fields


@admin.register(InterventionType)
class InterventionTypeAdmin(TabbedTranslationAdmin):
    list_display = (
        "code",
        "name",
        "is_warranty",
        "requires_quote_acceptance",
        "is_active",
        "position",
    )
    list_filter = ("is_active", "is_warranty", "requires_quote_acceptance")
    search_fields = ("code", *localized_fields("name"))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Calls change only through the portal's services (checked, locked, recorded); the admin
    lets the system operator look, not edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InterventionTransitionInline(admin.TabularInline):
    model = InterventionTransition
    extra = 0
    fields = ("at", "from_state", "to_state", "by", "reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("code", "received_at", "customer", "unit", "status", "priority")
    list_filter = ("status", "channel", "priority")
    search_fields = ("code", "customer__name", "unit__serial_number")
    list_select_related = ("customer", "unit")
    date_hierarchy = "received_at"
    show_full_result_count = False


@admin.register(CallPause)
class CallPauseAdmin(ReadOnlyAdmin):
    """The SLA pauses (waiting for the customer), written by the management page only."""

    list_display = ("call", "reason", "started_at", "ended_at", "started_by")
    list_select_related = ("call", "started_by")
    search_fields = ("call__code", "reason")


@admin.register(SlaWarning)
class SlaWarningAdmin(ReadOnlyAdmin):
    list_display = ("call", "clock", "due", "sent_at")
    list_select_related = ("call",)
    search_fields = ("call__code",)


@admin.register(Intervention)
class InterventionAdmin(ReadOnlyAdmin):
    list_display = ("code", "state", "type", "technician", "requested_date")
    # The call search's filters (SPEC §6), so the benchmark compares like with like.
    list_filter = (
        "state",
        "call__status",
        "type",
        "technician",
        ("call__received_at", admin.DateFieldListFilter),
    )
    search_fields = ("^code", "^call__code", "call__customer__name", "call__unit__serial_number")
    list_select_related = ("type", "technician")
    inlines = [InterventionTransitionInline]
    show_full_result_count = False


# --- Checklists (issue 21): the translations of names and questions are edited here ----------
class ChecklistItemInline(TranslationTabularInline):
    model = ChecklistItem
    extra = 1
    fields = ("position", "label", "kind", "required", "unit", "min_value", "max_value", "options")


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(TabbedTranslationAdmin):
    """A version interventions got is read-only here, as on the portal's page: the action
    "new version" copies it (every language) into the next version, the current one."""

    list_display = ("name", "intervention_type", "number", "is_current")
    list_filter = ("is_current", "intervention_type")
    search_fields = localized_fields("name")
    list_select_related = ("intervention_type",)
    fields = ("intervention_type", "name")
    inlines = [ChecklistItemInline]
    actions = ["new_version"]

    def _in_use(self, obj: ChecklistTemplate | None) -> bool:
        return obj is not None and obj.interventions.exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_use(obj)

    def save_model(self, request, obj, form, change):
        if not change:
            # The next version of its type, and the current one.
            with transaction.atomic():
                last = ChecklistTemplate.objects.filter(
                    intervention_type=obj.intervention_type
                ).aggregate(n=Max("number"))["n"]
                ChecklistTemplate.objects.filter(
                    intervention_type=obj.intervention_type, is_current=True
                ).update(is_current=False)
                obj.number, obj.is_current = (last or 0) + 1, True
                super().save_model(request, obj, form, change)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Make a new version (to edit a checklist in use)"))
    def new_version(self, request, queryset):
        for template in queryset.select_related("intervention_type"):
            items = [
                {"source": item.pk, **{f: getattr(item, f) for f in ITEM_PLAIN_FIELDS}}
                for item in template.items.all()
            ]
            try:
                saved = checklists.save_template(
                    acting_user=request.user,
                    intervention_type=template.intervention_type,
                    name=None,  # every language's name copied as it is
                    items=items,
                    template=template,
                )
            except CallError as error:
                self.message_user(request, error.message, level="error")
            else:
                self.message_user(request, str(saved))


# --- Preventive maintenance (docs/contracts.md, "Maintenance plans") --------------------------
class MaintenanceTaskInline(admin.TabularInline):
    model = MaintenanceTask
    extra = 1
    fields = (
        "description",
        "intervention_type",
        "checklist",
        "every",
        "interval_unit",
        "expected_hours",
        "is_active",
    )
    show_change_link = True


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "product", "starts_on", "lead_days", "technician", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "unit__serial_number", "product__code")
    autocomplete_fields = ("unit", "product")
    raw_id_fields = ("technician",)
    inlines = [MaintenanceTaskInline]


class MaintenancePartInline(admin.TabularInline):
    model = MaintenancePart
    extra = 1
    raw_id_fields = ("spare_part",)


@admin.register(MaintenanceTask)
class MaintenanceTaskAdmin(admin.ModelAdmin):
    list_display = (
        "description",
        "plan",
        "intervention_type",
        "every",
        "interval_unit",
        "is_active",
    )
    list_filter = ("interval_unit", "is_active")
    search_fields = ("description", "plan__name")
    raw_id_fields = ("plan",)
    inlines = [MaintenancePartInline]


@admin.register(MaintenanceOccurrence)
class MaintenanceOccurrenceAdmin(ReadOnlyAdmin):
    list_display = ("task", "unit", "number", "due_on", "due_hours", "intervention", "completed_on")
    list_select_related = ("task", "unit__product", "intervention")
    date_hierarchy = "due_on"


@admin.register(CounterReading)
class CounterReadingAdmin(ReadOnlyAdmin):
    """Readings are recorded on the job page or by the API (checked against the previous one)."""

    list_display = ("unit", "read_on", "hours", "total_hours", "is_replacement", "source")
    list_select_related = ("unit__product",)
    date_hierarchy = "read_on"
