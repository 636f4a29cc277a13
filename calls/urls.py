from django.urls import path

from calls import search, views

app_name = "calls"

urlpatterns = [
    path("", search.CallSearch.as_view(), name="call_search"),
    path("export.csv", search.export_csv, name="export_csv"),
    path("export.xlsx", search.export_xlsx, name="export_xlsx"),
    path("mine/", search.MyInterventions.as_view(), name="my_interventions"),
    path("history/unit/<int:pk>/", search.unit_history, name="unit_history"),
    path("history/customer/<int:pk>/", search.customer_history, name="customer_history"),
    path("new/", views.call_create, name="call_create"),
    path("new/customers/", views.customer_picker, name="customer_picker"),
    path("new/customer-fields/", views.customer_fields, name="customer_fields"),
    path("new/<int:customer_pk>/contact/", views.new_contact, name="new_contact"),
    path("new/<int:customer_pk>/site/", views.new_site, name="new_site"),
    path("<int:pk>/", views.call_detail, name="call_detail"),
    path("<int:pk>/interventions/<int:number>/", views.manage, name="manage"),
    path("<int:pk>/interventions/<int:number>/call/", views.call_update, name="call_update"),
    path(
        "<int:pk>/interventions/<int:number>/intervention/",
        views.intervention_update,
        name="intervention_update",
    ),
    path("<int:pk>/interventions/<int:number>/notes/", views.note_add, name="note_add"),
    path(
        "<int:pk>/interventions/<int:number>/state/",
        views.intervention_transition,
        name="transition",
    ),
    path(
        "<int:pk>/interventions/<int:number>/resolve-by-phone/",
        views.resolve_by_phone,
        name="resolve_by_phone",
    ),
    path("<int:pk>/interventions/<int:number>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/interventions/<int:number>/quote/", views.quote_create, name="quote_create"),
    path("<int:pk>/interventions/<int:number>/expenses/", views.expense_add, name="expense_add"),
    path(
        "<int:pk>/interventions/<int:number>/expenses/<int:expense_pk>/delete/",
        views.expense_delete,
        name="expense_delete",
    ),
    path("<int:pk>/interventions/<int:number>/parts/", views.part_add, name="part_add"),
    path("<int:pk>/interventions/<int:number>/complete/", views.complete, name="complete"),
    path("<int:pk>/interventions/<int:number>/report.pdf", views.report_pdf, name="report_pdf"),
    path(
        "<int:pk>/interventions/<int:number>/report/send/",
        views.report_send,
        name="report_send",
    ),
    path(
        "<int:pk>/interventions/<int:number>/parts/search/",
        views.part_search,
        name="part_search",
    ),
    path(
        "<int:pk>/interventions/<int:number>/parts/<int:part_pk>/remove/",
        views.part_remove,
        name="part_remove",
    ),
    path(
        "<int:pk>/interventions/<int:number>/expenses/<int:expense_pk>/receipt/",
        views.expense_receipt,
        name="expense_receipt",
    ),
]
