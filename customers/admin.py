from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from customers.models import Contact, Customer, Product, Site, Unit
from service_portal.i18n import localized_fields


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ("name", "address", "city", "country", "is_active")
    show_change_link = True


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("name", "role", "site", "phone", "email", "is_active")
    autocomplete_fields = ("site",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "vat_number", "city", "country", "language", "is_active")
    list_filter = ("is_active", "country", "language")
    search_fields = ("name", "vat_number", "fiscal_code", "city")
    # Thousands of customers: the billing customer is searched, not listed in a select.
    autocomplete_fields = ("billing_customer",)
    inlines = [SiteInline, ContactInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "city", "country", "is_active")
    list_filter = ("is_active", "country")
    search_fields = ("name", "city", "customer__name")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "customer", "site", "phone", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "email", "phone", "customer__name")
    list_select_related = ("customer", "site")
    autocomplete_fields = ("customer", "site")


@admin.register(Product)
class ProductAdmin(TabbedTranslationAdmin):
    list_display = ("code", "description", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", *localized_fields("description"))


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("serial_number", "product", "site", "installation_date", "warranty_end")
    list_filter = ("product", "is_active")
    search_fields = ("serial_number", "site__customer__name")
    list_select_related = ("product", "site", "site__customer")
    autocomplete_fields = ("site",)
    date_hierarchy = "installation_date"
