from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("verification/", views.VerificationList.as_view(), name="verification_list"),
    path("verification/<int:pk>/", views.verification_detail, name="verification_detail"),
    path("verification/<int:pk>/correct/", views.correction_add, name="correction_add"),
    path("verification/<int:pk>/verify/", views.verify, name="verify"),
    path("verification/<int:pk>/send-back/", views.send_back, name="send_back"),
    path("verification/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("to-invoice/", views.BillableCalls.as_view(), name="billable_calls"),
    path("invoices/", views.InvoiceList.as_view(), name="invoice_list"),
    path("invoices/export.csv", views.export_csv, name="export_csv"),
    path("invoices/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/discard/", views.invoice_discard, name="invoice_discard"),
    path("invoices/<int:pk>/credit-note/", views.credit_note, name="credit_note"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("expenses/", views.expenses_report, name="expenses_report"),
    path("expenses/export.csv", views.expenses_csv, name="expenses_csv"),
    path("expenses/export.xlsx", views.expenses_xlsx, name="expenses_xlsx"),
]
