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


def sla_recipients() -> list[tuple[str, str]]:
    """(address, language) of whom the SLA warnings go to: ``SLA_WARNING_RECIPIENTS``, else
    every active operator and administrator with an e-mail address."""
    from django.conf import settings

    from accounts.models import User
    from service_portal.roles import STAFF

    if settings.SLA_WARNING_RECIPIENTS:
        return [(address, settings.LANGUAGE_CODE) for address in settings.SLA_WARNING_RECIPIENTS]
    people = User.objects.filter(role__in=STAFF, is_active=True).exclude(email="").order_by("pk")
    return [(user.email, user.language or settings.LANGUAGE_CODE) for user in people]


@task()
def send_sla_warning(warning_pk: int) -> int:
    """E-mail one SLA warning to the operators, each in their own language."""
    from django.conf import settings
    from django.utils import timezone

    from calls.models import SlaWarning

    warning = (
        SlaWarning.objects.select_related("call__customer", "call__contract")
        .filter(pk=warning_pk)
        .first()
    )
    if warning is None:
        return 0
    call = warning.call
    sent = 0
    for address, language in sla_recipients():
        sent += send_email(
            template="calls/email/sla_warning",
            context={
                "call": call,
                "clock": warning.clock,
                "due": timezone.localtime(warning.due),
                "breached": warning.due <= timezone.now(),
                "call_url": settings.SITE_URL + call.get_absolute_url(),
            },
            to=[address],
            language=language,
        )
    return sent
