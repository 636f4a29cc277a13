"""Master data for the system operator; calls themselves are handled in the portal pages."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from calls.models import (
    Call,
    CallPause,
    Intervention,
    InterventionTransition,
    InterventionType,
    SlaWarning,
)
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
