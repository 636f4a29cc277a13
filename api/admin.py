"""API tokens in the Django admin: administrators create (secret shown once) and revoke them."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken, Scope
from api.services import hash_secret, new_secret, revoke_token


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiToken
        fields = ["name", "scopes"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "prefix", "scopes", "created_by", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def _allowed(self, request) -> bool:
        return bool(getattr(request.user, "is_administrator", False))

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the record of who used the API stays

    def save_model(self, request, obj, form, change):
        if not change:
            prefix, secret = new_secret()
            obj.prefix, obj.secret_hash, obj.created_by = prefix, hash_secret(secret), request.user
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                gettext("Copy the token's secret now, it will not be shown again: %(secret)s")
                % {"secret": secret},
            )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token=token)
        messages.success(request, gettext("Tokens revoked."))
