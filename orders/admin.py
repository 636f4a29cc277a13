from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from orders.forms import ImportForm
from orders.importing import ImportFileError, import_spare_parts
from orders.models import (
    DeliveryTerm,
    Offer,
    OfferLine,
    OfferStateChange,
    Order,
    OrderLine,
    OrderStateChange,
    PaymentMethod,
    SparePart,
    Transport,
    VatRate,
)
from service_portal.i18n import localized_fields


@admin.register(SparePart)
class SparePartAdmin(TabbedTranslationAdmin):
    list_display = ("code", "description", "unit_of_measure", "list_price", "vat_rate", "is_active")
    list_filter = ("is_active", "vat_rate")
    search_fields = ("code", *localized_fields("description"))
    filter_horizontal = ("products",)
    change_list_template = "admin/orders/sparepart/change_list.html"

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="orders_sparepart_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request):
        """The same import as ``manage.py import_spare_parts``, from an uploaded file."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_spare_parts(upload, upload.name)
            except ImportFileError as exc:
                messages.error(request, _("%(error)s Nothing was imported.") % {"error": exc})
                return redirect("admin:orders_sparepart_import")
            level = messages.WARNING if report.rejected else messages.SUCCESS
            messages.add_message(request, level, report.summary())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import spare parts"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/orders/sparepart/import.html", context)


@admin.register(PaymentMethod, DeliveryTerm, Transport)
class TermAdmin(TabbedTranslationAdmin):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")


@admin.register(VatRate)
class VatRateAdmin(TabbedTranslationAdmin):
    list_display = ("name", "code", "rate", "natura", "position", "is_active")
    list_filter = ("is_active", "natura")
    search_fields = ("code", "name")


class ReadOnlyMixin:
    """Offers and orders change only through the portal's services, which check the state and
    keep the history; in the admin they can be looked at, not edited (issued documents are
    frozen)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfferLineInline(ReadOnlyMixin, admin.TabularInline):
    model = OfferLine
    extra = 0


class OfferHistoryInline(ReadOnlyMixin, admin.TabularInline):
    model = OfferStateChange
    extra = 0


@admin.register(Offer)
class OfferAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "revision", "customer", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("code", "customer__name")
    list_select_related = ("customer",)
    inlines = [OfferLineInline, OfferHistoryInline]
    raw_id_fields = (
        "customer",
        "site",
        "contact",
        "unit",
        "billing_customer",
        "billing_site",
        "billing_contact",
        "previous_revision",
        "created_by",
    )


class OrderLineInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderLine
    extra = 0


class OrderHistoryInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderStateChange
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "customer", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("code", "customer__name")
    list_select_related = ("customer",)
    inlines = [OrderLineInline, OrderHistoryInline]
    raw_id_fields = OfferAdmin.raw_id_fields[:-2] + ("offer", "created_by")
