from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import counters, erp, views

app_name = "api"

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("sites", views.SiteViewSet, basename="site")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("units", views.UnitViewSet, basename="unit")
router.register("products", views.ProductViewSet, basename="product")
router.register("spare-parts", views.SparePartViewSet, basename="spare-part")
router.register("calls", views.CallViewSet, basename="call")
router.register("interventions", views.InterventionViewSet, basename="intervention")
router.register("offers", views.OfferViewSet, basename="offer")
router.register("orders", views.OrderViewSet, basename="order")
router.register("invoices", views.InvoiceViewSet, basename="invoice")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("warehouses", views.WarehouseViewSet, basename="warehouse")
router.register("stock-levels", views.StockLevelViewSet, basename="stock-level")
router.register("stock-moves", views.StockMoveViewSet, basename="stock-move")
router.register("shipments", erp.ShipmentViewSet, basename="shipment")
router.register("order-states", erp.OrderStateViewSet, basename="order-state")
router.register("events", erp.EventViewSet, basename="event")
router.register("counter-readings", counters.CounterReadingViewSet, basename="counter-reading")

urlpatterns = [
    path("v1/", include(router.urls)),
    # Anything else under v1/ is a JSON 404 too, never the portal's HTML page.
    re_path(r"^v1/", views.not_found),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the strict CSP allows no inline JS.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]
