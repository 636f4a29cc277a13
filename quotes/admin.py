"""Admin for master data: price lists and rates (descriptions in every language, in tabs).

Quotes are shown read-only here: they are documents, changed only through the quote editor and
its services, which check permissions and record the history.
"""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from quotes.models import PriceList, Quote, QuoteEvent, QuoteLine, Rate
from service_portal.i18n import localized_fields


class RateInline(TranslationTabularInline):
    model = Rate
    extra = 0
    fields = ("position", "code", "description", "kind", "unit", "price")


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "customer",
        "is_warranty",
        "is_default",
        "valid_from",
        "valid_to",
        "currency",
        "active",
    )
    list_filter = ("active", "is_warranty", "currency")
    search_fields = ("name", "customer__name")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    date_hierarchy = "valid_from"
    inlines = [RateInline]


@admin.register(Rate)
class RateAdmin(TabbedTranslationAdmin):
    list_display = ("code", "description", "kind", "unit", "price", "price_list")
    list_filter = ("kind", "price_list")
    search_fields = ("code", *localized_fields("description"), "price_list__name")
    list_select_related = ("price_list",)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QuoteLineInline(ReadOnlyInline):
    model = QuoteLine
    fields = ("position", "code", "description", "unit", "quantity", "unit_price", "discount")
    readonly_fields = fields


class QuoteEventInline(ReadOnlyInline):
    model = QuoteEvent
    fields = ("at", "by", "action", "from_state", "to_state", "reason")
    readonly_fields = fields


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ("code", "customer", "price_list_name", "state", "created_at", "created_by")
    list_filter = ("state",)
    search_fields = ("code", "customer__name")
    list_select_related = ("customer", "created_by")
    date_hierarchy = "created_at"
    inlines = [QuoteLineInline, QuoteEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
