"""Read-only admin views: planner records change only through the pages (planner.services)."""

from django.contrib import admin

from planner.models import Activity, ActivityLog, TimeEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["technician", "kind", "start", "end", "intervention"]
    list_filter = ["kind"]
    list_select_related = ["technician", "intervention"]
    date_hierarchy = "start"


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ["user", "date", "kind", "hours", "intervention"]
    list_filter = ["kind"]
    list_select_related = ["user", "intervention"]
    date_hierarchy = "date"


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "activity_pk", "action", "technician", "kind", "start", "by"]
    list_filter = ["action", "kind"]
    list_select_related = ["technician", "by"]
