from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard.csv", views.export_csv, name="export_csv"),
    path("customers/", views.customer_picker, name="customer_picker"),
]
