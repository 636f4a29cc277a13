from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.ContractList.as_view(), name="contract_list"),
    path("new/", views.ContractCreate.as_view(), name="contract_create"),
    path("<int:pk>/", views.ContractDetail.as_view(), name="contract_detail"),
    path("<int:pk>/edit/", views.ContractUpdate.as_view(), name="contract_update"),
]
