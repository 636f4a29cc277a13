from django.urls import path

from customers import import_views, views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerList.as_view(), name="customer_list"),
    path("new/", views.CustomerCreate.as_view(), name="customer_create"),
    path("pick/", views.customer_picker, name="customer_picker"),
    path("<int:pk>/", views.CustomerDetail.as_view(), name="customer_detail"),
    path("<int:pk>/edit/", views.CustomerUpdate.as_view(), name="customer_update"),
    path("<int:customer_pk>/sites/new/", views.SiteCreate.as_view(), name="site_create"),
    path("<int:customer_pk>/contacts/new/", views.ContactCreate.as_view(), name="contact_create"),
    path("<int:customer_pk>/units/new/", views.UnitCreate.as_view(), name="unit_create"),
    path("sites/", views.SiteList.as_view(), name="site_list"),
    path("sites/<int:pk>/", views.SiteDetail.as_view(), name="site_detail"),
    path("sites/<int:pk>/edit/", views.SiteUpdate.as_view(), name="site_update"),
    path("contacts/", views.ContactList.as_view(), name="contact_list"),
    path("contacts/<int:pk>/", views.ContactDetail.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.ContactUpdate.as_view(), name="contact_update"),
    path("products/", views.ProductList.as_view(), name="product_list"),
    path("products/new/", views.ProductCreate.as_view(), name="product_create"),
    path("products/<int:pk>/", views.ProductDetail.as_view(), name="product_detail"),
    path("products/<int:pk>/edit/", views.ProductUpdate.as_view(), name="product_update"),
    path("units/", views.UnitList.as_view(), name="unit_list"),
    path("units/<int:pk>/", views.UnitDetail.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitUpdate.as_view(), name="unit_update"),
    path("import/", import_views.import_page, name="import"),
    path("import/apply/", import_views.import_apply, name="import_apply"),
    path("export/installed-base.xlsx", import_views.export_xlsx, name="export_xlsx"),
    path("export/<slug:kind>.csv", import_views.export_csv, name="export_csv"),
]
