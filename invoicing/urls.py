from django.urls import path

from invoicing import batch_views, views

app_name = "invoicing"

urlpatterns = [
    path("verification/", views.VerificationList.as_view(), name="verification_list"),
    path("verification/<int:pk>/", views.verification_detail, name="verification_detail"),
    path("verification/<int:pk>/correct/", views.correction_add, name="correction_add"),
    path("verification/<int:pk>/verify/", views.verify, name="verify"),
    path("verification/<int:pk>/send-back/", views.send_back, name="send_back"),
    path("verification/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("to-invoice/", views.BillableCalls.as_view(), name="billable_calls"),
    path("to-invoice/tick/", batch_views.selection_toggle, name="selection_toggle"),
    path("batch/", batch_views.batch, name="batch"),
    path("drafts/", batch_views.DraftList.as_view(), name="draft_list"),
    path("drafts/issue/", batch_views.drafts_issue, name="drafts_issue"),
    path("invoices/", views.InvoiceList.as_view(), name="invoice_list"),
    path("invoices/export.csv", views.export_csv, name="export_csv"),
    path("invoices/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("invoices/fatturapa.zip", views.export_fatturapa, name="export_fatturapa"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/discard/", views.invoice_discard, name="invoice_discard"),
    path(
        "invoices/<int:pk>/remove-call/",
        batch_views.draft_remove_call,
        name="draft_remove_call",
    ),
    path("invoices/<int:pk>/credit-note/", views.credit_note, name="credit_note"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/xml/", views.invoice_xml, name="invoice_xml"),
    path("invoices/<int:pk>/payments/", views.payment_add, name="payment_add"),
    path("open-items/", views.OpenItems.as_view(), name="open_items"),
    path("expenses/", views.expenses_report, name="expenses_report"),
    path("expenses/export.csv", views.expenses_csv, name="expenses_csv"),
    path("expenses/export.xlsx", views.expenses_xlsx, name="expenses_xlsx"),
]
