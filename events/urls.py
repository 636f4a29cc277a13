from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("endpoints/", views.endpoint_list, name="endpoint_list"),
    path("endpoints/new/", views.endpoint_edit, name="endpoint_create"),
    path("endpoints/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("endpoints/<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("endpoints/<int:pk>/enable/", views.endpoint_enable, name="endpoint_enable"),
    path("endpoints/<int:pk>/secret/", views.endpoint_rotate, name="endpoint_rotate"),
    path(
        "endpoints/<int:pk>/deliveries/<int:delivery_pk>/replay/",
        views.delivery_replay,
        name="delivery_replay",
    ),
]
