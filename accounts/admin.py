from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from accounts.models import AuthEvent, SecretQuestion, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_staff", "language")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Service portal"),
            {
                "fields": (
                    "role",
                    "language",
                    "phone",
                    "must_onboard",
                    "first_login_code_expires",
                    "secret_question_choice",
                    "secret_question",
                )
            },
        ),
    )
    # Codes are issued from the portal's user pages, where they are shown once.
    readonly_fields = ("must_onboard", "first_login_code_expires")
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Service portal"), {"fields": ("role", "language")}),
    )


@admin.register(SecretQuestion)
class SecretQuestionAdmin(TabbedTranslationAdmin):
    list_display = ("text", "is_active", "position")
    list_editable = ("is_active", "position")


@admin.register(AuthEvent)
class AuthEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ("created_at", "kind", "username", "user", "actor", "ip_address")
    list_filter = ("kind",)
    search_fields = ("username", "user__username", "ip_address")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
