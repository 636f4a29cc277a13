from django.urls import path

from calls.views import (
    actuals,
    checklist_templates,
    maintenance,
    management,
    media,
    new_call,
    search,
    sections,
    solutions,
)

app_name = "calls"

urlpatterns = [
    path("", search.CallSearch.as_view(), name="call_search"),
    path("export.csv", search.export_csv, name="export_csv"),
    path("export.xlsx", search.export_xlsx, name="export_xlsx"),
    path("mine/", search.MyInterventions.as_view(), name="my_interventions"),
    path("solutions/", solutions.SolutionSearch.as_view(), name="solutions"),
    path("history/unit/<int:pk>/", search.unit_history, name="unit_history"),
    path("history/customer/<int:pk>/", search.customer_history, name="customer_history"),
    path("new/", new_call.call_create, name="call_create"),
    path("new/customers/", new_call.customer_picker, name="customer_picker"),
    path("new/customer-fields/", new_call.customer_fields, name="customer_fields"),
    path("new/<int:customer_pk>/contact/", new_call.new_contact, name="new_contact"),
    path("new/<int:customer_pk>/site/", new_call.new_site, name="new_site"),
    path("<int:pk>/", management.call_detail, name="call_detail"),
    path("<int:pk>/interventions/<int:number>/", management.manage, name="manage"),
    path("<int:pk>/interventions/<int:number>/call/", sections.call_update, name="call_update"),
    path(
        "<int:pk>/interventions/<int:number>/intervention/",
        sections.intervention_update,
        name="intervention_update",
    ),
    path("<int:pk>/interventions/<int:number>/notes/", sections.note_add, name="note_add"),
    path(
        "<int:pk>/interventions/<int:number>/state/",
        sections.intervention_transition,
        name="transition",
    ),
    path(
        "<int:pk>/interventions/<int:number>/resolve-by-phone/",
        sections.resolve_by_phone,
        name="resolve_by_phone",
    ),
    path("<int:pk>/interventions/<int:number>/follow-up/", sections.follow_up, name="follow_up"),
    path("<int:pk>/interventions/<int:number>/sla/", sections.sla_action, name="sla_action"),
    path("<int:pk>/interventions/<int:number>/quote/", sections.quote_create, name="quote_create"),
    path(
        "<int:pk>/interventions/<int:number>/quote/send/",
        sections.quote_send,
        name="quote_send",
    ),
    path(
        "<int:pk>/interventions/<int:number>/offer/",
        sections.offer_create,
        name="offer_create",
    ),
    path("<int:pk>/interventions/<int:number>/expenses/", actuals.expense_add, name="expense_add"),
    path(
        "<int:pk>/interventions/<int:number>/expenses/<int:expense_pk>/delete/",
        actuals.expense_delete,
        name="expense_delete",
    ),
    path("<int:pk>/interventions/<int:number>/parts/", actuals.part_add, name="part_add"),
    path(
        "<int:pk>/interventions/<int:number>/parts/from-order/",
        actuals.part_from_order,
        name="part_from_order",
    ),
    path("<int:pk>/interventions/<int:number>/complete/", actuals.complete, name="complete"),
    path("<int:pk>/interventions/<int:number>/report.pdf", actuals.report_pdf, name="report_pdf"),
    path(
        "<int:pk>/interventions/<int:number>/report/v<int:version>.pdf",
        actuals.report_pdf,
        name="report_version_pdf",
    ),
    path(
        "<int:pk>/interventions/<int:number>/report/send/",
        actuals.report_send,
        name="report_send",
    ),
    path(
        "<int:pk>/interventions/<int:number>/parts/search/",
        actuals.part_search,
        name="part_search",
    ),
    path(
        "<int:pk>/interventions/<int:number>/parts/<int:part_pk>/remove/",
        actuals.part_remove,
        name="part_remove",
    ),
    path(
        "<int:pk>/interventions/<int:number>/expenses/<int:expense_pk>/receipt/",
        actuals.expense_receipt,
        name="expense_receipt",
    ),
    # Photos, documents and the checklist (issue 21).
    path("<int:pk>/interventions/<int:number>/photos/", media.photo_add, name="photo_add"),
    path("<int:pk>/interventions/<int:number>/documents/", media.document_add, name="document_add"),
    path(
        "<int:pk>/interventions/<int:number>/attachments/<int:attachment_pk>/",
        media.attachment_file,
        name="attachment_file",
    ),
    path(
        "<int:pk>/interventions/<int:number>/attachments/<int:attachment_pk>/thumbnail/",
        media.attachment_file,
        {"thumbnail": True},
        name="attachment_thumbnail",
    ),
    path(
        "<int:pk>/interventions/<int:number>/attachments/<int:attachment_pk>/remove/",
        media.attachment_remove,
        name="attachment_remove",
    ),
    path(
        "<int:pk>/interventions/<int:number>/attachments/<int:attachment_pk>/tag/",
        media.photo_tag,
        name="photo_tag",
    ),
    path(
        "<int:pk>/interventions/<int:number>/checklist/",
        media.checklist_save,
        name="checklist_save",
    ),
    path(
        "<int:pk>/interventions/<int:number>/checklist/<int:item_pk>/",
        media.checklist_item_save,
        name="checklist_item_save",
    ),
    path(
        "<int:pk>/interventions/<int:number>/counter/", maintenance.reading_add, name="reading_add"
    ),
    path("maintenance/", maintenance.MaintenanceDue.as_view(), name="maintenance_due"),
    path("checklists/", checklist_templates.template_list, name="checklist_templates"),
    path("checklists/new/", checklist_templates.template_edit, name="checklist_template_new"),
    path(
        "checklists/<int:template_pk>/",
        checklist_templates.template_edit,
        name="checklist_template_edit",
    ),
]
