from django.urls import path

from stock import views

app_name = "stock"

urlpatterns = [
    path("", views.WarehouseList.as_view(), name="warehouse_list"),
    path("<int:pk>/", views.WarehouseDetail.as_view(), name="warehouse_detail"),
    path("<int:pk>/restock/", views.van_restock, name="van_restock"),
    path("moves/", views.MoveList.as_view(), name="move_list"),
    path("moves/new/", views.move_create, name="move_create"),
]
