"""Warehouses and min/max levels are edited here; moves are read-only (a recorded move is a
fact: corrections are new moves, recorded on the portal's pages or through the API)."""

from django.contrib import admin

from stock.models import StockLevel, StockMove, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "technician", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["technician"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    """Minimum and maximum may be set here; the quantity only moves with a stock move."""

    list_display = ["warehouse", "spare_part", "quantity", "minimum", "maximum"]
    list_filter = ["warehouse"]
    search_fields = ["spare_part__code"]
    raw_id_fields = ["warehouse", "spare_part"]
    readonly_fields = ["quantity"]
    list_select_related = ["warehouse", "spare_part"]

    def get_readonly_fields(self, request, obj=None):
        # A new row starts at zero; its stock arrives with a receipt or a transfer.
        return ["quantity"] if obj is None else ["warehouse", "spare_part", "quantity"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMove)
class StockMoveAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "created_at",
        "kind",
        "spare_part",
        "quantity",
        "from_warehouse",
        "to_warehouse",
        "reference",
        "created_by",
    ]
    list_filter = ["kind"]
    search_fields = ["spare_part__code", "reference", "external_reference"]
    list_select_related = ["spare_part", "from_warehouse", "to_warehouse", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
