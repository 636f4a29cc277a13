"""Background work of calls: e-mailing the intervention report to the customer."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from calls.models import Intervention
from service_portal.mail import send_email


@task()
def send_report_email(intervention_pk: int, user_pk: int | None = None) -> int:
    """E-mail the report PDF to the call's contact, in the customer's language.

    Runs after the commit and reads the committed intervention; no contact e-mail sends nothing.
    """
    intervention = (
        Intervention.objects.select_related(
            "call__customer", "call__site", "call__contact", "call__unit__product", "technician"
        )
        .filter(pk=intervention_pk)
        .first()
    )
    if intervention is None or intervention.call.contact is None:
        return 0
    contact = intervention.call.contact
    if not contact.email:
        return 0
    from calls import reports

    with transaction.atomic():
        pdf = reports.stored_pdf(intervention)  # the stored report of the signature in force
    if pdf is None:
        return 0
    language = intervention.call.customer.language
    filename = f"report-{intervention.code.replace('/', '-')}.pdf"
    return send_email(
        template="calls/email/report",
        context={"intervention": intervention, "call": intervention.call},
        to=[contact.email],
        language=language,
        attachments=[(filename, pdf, "application/pdf")],
    )
