from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.QuoteList.as_view(), name="quote_list"),
    path("new/", views.quote_create, name="quote_create"),
    path("<int:pk>/", views.quote_detail, name="quote_detail"),
    path("<int:pk>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("<int:pk>/totals/", views.quote_totals, name="quote_totals"),
    path("<int:pk>/confirm/", views.quote_confirm, name="quote_confirm"),
    path("<int:pk>/revise/", views.quote_revise, name="quote_revise"),
    # The customer's page, reached from the e-mail without logging in.
    path("q/<str:token>/", views.public_quote, name="public_quote"),
    path("price-lists/", views.PriceListList.as_view(), name="pricelist_list"),
    path("price-lists/new/", views.pricelist_edit, name="pricelist_create"),
    path("price-lists/<int:pk>/", views.PriceListDetail.as_view(), name="pricelist_detail"),
    path("price-lists/<int:pk>/edit/", views.pricelist_edit, name="pricelist_update"),
    path("price-lists/<int:pk>/copy/", views.pricelist_copy, name="pricelist_copy"),
]
