from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from service_portal import pwa, views

admin.site.site_header = _("Service Portal administration")
admin.site.site_title = _("Service Portal")

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("company/", views.company_profile, name="company_profile"),
    path("company/logo/", views.company_logo, name="company_logo"),
    path("company/theme.css", views.company_theme, name="company_theme"),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("customers.urls")),
    path("contracts/", include("contracts.urls")),
    path("quotes/", include("quotes.urls")),
    path("orders/", include("orders.urls")),
    path("stock/", include("stock.urls")),
    path("calls/", include("calls.urls")),
    path("planner/", include("planner.urls")),
    path("invoicing/", include("invoicing.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/", include("api.urls")),
    path("events/", include("events.urls")),
    path("admin/", admin.site.urls),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("favicon.ico", views.favicon),  # unnamed: no row in the permission table needed
]

handler400 = "service_portal.errors.bad_request"
handler403 = "service_portal.errors.permission_denied"
handler404 = "service_portal.errors.page_not_found"
handler500 = "service_portal.errors.server_error"
