from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("sites", views.SiteViewSet, basename="site")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("units", views.UnitViewSet, basename="unit")
router.register("products", views.ProductViewSet, basename="product")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
