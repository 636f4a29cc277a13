"""Background work of invoicing: e-mails queued after the transaction commits."""

from __future__ import annotations

from django_tasks import task

from calls.models import Intervention
from invoicing import documents
from invoicing.models import Invoice, InvoiceState
from service_portal.mail import send_email


@task()
def send_back_email(intervention_pk: int, reason: str) -> int:
    """Tell the technician, in their language, that an intervention came back to their to-do."""
    intervention = (
        Intervention.objects.select_related("technician", "call__customer")
        .filter(pk=intervention_pk)
        .first()
    )
    if intervention is None or intervention.technician is None:
        return 0
    technician = intervention.technician
    if not technician.email:
        return 0
    return send_email(
        template="invoicing/email/sent_back",
        context={"intervention": intervention, "reason": reason},
        to=[technician.email],
        language=technician.language,
    )


@task()
def send_invoice_email(invoice_pk: int) -> int:
    """E-mail the issued invoice with its PDF to the customer, in the invoice's language."""
    invoice = Invoice.objects.filter(pk=invoice_pk, state=InvoiceState.ISSUED).first()
    if invoice is None or not invoice.customer_email:
        return 0
    return send_email(
        template="invoicing/email/invoice",
        context={"invoice": invoice},
        to=[invoice.customer_email],
        language=invoice.language,
        attachments=[
            (documents.filename(invoice), documents.invoice_pdf(invoice), "application/pdf")
        ],
    )
