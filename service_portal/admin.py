from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from modeltranslation.admin import TabbedTranslationAdmin

from service_portal.models import CompanyProfile, JobRun, PaymentTerm


@admin.register(CompanyProfile)
class CompanyProfileAdmin(TabbedTranslationAdmin):
    """The one company profile (also edited on the portal's page, /company/)."""

    list_display = ("legal_name", "vat_number", "city", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not CompanyProfile.objects.exists()

    def has_delete_permission(
        self, request: HttpRequest, obj: CompanyProfile | None = None
    ) -> bool:
        return False


@admin.register(PaymentTerm)
class PaymentTermAdmin(TabbedTranslationAdmin):
    """Master data: the terms offered to customers (retire one with "active" rather than
    deleting it; issued invoices keep their own frozen copy)."""

    list_display = ("name", "days", "end_of_month", "method", "is_active")
    list_filter = ("is_active", "end_of_month", "method")


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """The log of the scheduled jobs' runs (read only: the command writes it)."""

    list_display = ("job", "started_at", "finished_at", "status", "host", "result")
    list_filter = ("job", "status")
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: JobRun | None = None) -> bool:
        return False
