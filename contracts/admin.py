from django.contrib import admin

from contracts.models import Closure, Contract, SlaTarget


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("code", "customer", "start_date", "end_date", "fee_period", "is_active")
    list_filter = ("is_active", "fee_period", "auto_renew")
    search_fields = ("code", "customer__name", "description")
    # Thousands of customers and units: searched, not listed in a select.
    autocomplete_fields = ("customer", "units", "sites")
    inlines = [SlaTargetInline]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("description", "start_date", "end_date")
    date_hierarchy = "start_date"
