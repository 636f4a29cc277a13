from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from events.models import Delivery, DeliveryAttempt, DeliveryState, Event, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "is_active", "disabled_at", "consecutive_failures"]
    list_filter = ["is_active"]
    readonly_fields = ["consecutive_failures", "disabled_at", "disabled_reason", "created_at"]
    fields = ["name", "url", "secret", "event_types", "is_active", *readonly_fields]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "event_type", "record_type", "record_id", "created_at"]
    list_filter = ["event_type"]
    search_fields = ["=record_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "status_code", "error", "duration_ms", "manual"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "state", "attempts", "last_status", "next_attempt_at"]
    list_filter = ["state", "endpoint"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Send the chosen events again"))
    def replay(self, request, queryset) -> None:
        queryset.filter(endpoint__disabled_at__isnull=True).update(
            state=DeliveryState.PENDING, next_attempt_at=None, replay=True
        )
        from events.tasks import queue_delivery

        queue_delivery()
