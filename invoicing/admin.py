"""Read-only admin: every change goes through ``invoicing.services`` (issued ones are frozen)."""

from django.contrib import admin

from invoicing.models import (
    Correction,
    Invoice,
    InvoiceDueDate,
    InvoiceLine,
    InvoiceStateChange,
    Payment,
    VerifiedFigures,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvoiceHistoryInline(admin.TabularInline):
    model = InvoiceStateChange
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "by", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class InvoiceDueDateInline(InvoiceLineInline):
    model = InvoiceDueDate


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "state", "issue_date", "customer_name", "total"]
    list_filter = ["kind", "state"]
    search_fields = ["code", "customer_name"]
    inlines = [InvoiceLineInline, InvoiceDueDateInline, InvoiceHistoryInline]


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = [
        "intervention",
        "action",
        "kind",
        "line",
        "quantity",
        "unit_price",
        "discount",
        "by",
        "at",
    ]


@admin.register(VerifiedFigures)
class VerifiedFiguresAdmin(ReadOnlyAdmin):
    list_display = ["intervention", "taxable", "total", "by", "at"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments are recorded on the invoice's page or through the API, never here."""

    list_display = ["invoice", "date", "amount", "method", "source", "recorded_by"]
    list_filter = ["method", "source"]
    search_fields = ["invoice__code", "reference", "external_code"]
