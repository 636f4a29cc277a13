from django.urls import path

from orders import shipment_views, views

app_name = "orders"

urlpatterns = [
    path("", views.OrderList.as_view(), name="order_list"),
    path("export/", views.order_export, name="order_export"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/state/", views.order_state, name="order_state"),
    path("<int:pk>/shipments/", shipment_views.order_shipments_view, name="order_shipments"),
    path(
        "<int:pk>/shipments/<int:shipment_pk>/ddt/",
        shipment_views.delivery_note_view,
        name="delivery_note",
    ),
    path(
        "<int:pk>/confirmation/", shipment_views.order_confirmation_view, name="order_confirmation"
    ),
    path("parts/", views.SparePartList.as_view(), name="sparepart_list"),
    path("offers/", views.OfferList.as_view(), name="offer_list"),
    path("offers/export/", views.offer_export, name="offer_export"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/customer/", views.offer_parties, name="offer_parties"),
    path("offers/<int:pk>/cart/", views.offer_cart, name="offer_cart"),
    path("offers/<int:pk>/cart/search/", views.cart_search, name="cart_search"),
    path("offers/<int:pk>/cart/add/", views.cart_add, name="cart_add"),
    path("offers/<int:pk>/cart/<int:line_pk>/", views.cart_line, name="cart_line"),
    path("offers/<int:pk>/terms/", views.offer_terms, name="offer_terms"),
    path("offers/<int:pk>/pdf/", views.offer_pdf_view, name="offer_pdf"),
    path("offers/<int:pk>/send/", views.offer_send, name="offer_send"),
    path("offers/<int:pk>/resend/", views.offer_resend, name="offer_resend"),
    path("offers/<int:pk>/revise/", views.offer_revise, name="offer_revise"),
    path("offers/<int:pk>/cancel/", views.offer_cancel, name="offer_cancel"),
    path("offers/<int:pk>/decide/", views.offer_decide, name="offer_decide"),
    path("offers/<int:pk>/convert/", views.offer_convert, name="offer_convert"),
    # The customer's page, reached from the e-mail without logging in.
    path("o/<str:token>/", views.public_offer, name="public_offer"),
]
