"""E-mails about the user's own account, sent after the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from accounts.models import PasswordRecovery, User
from accounts.secrets import format_code
from service_portal.mail import send_email


@task()
def send_recovery_code(recovery_pk: int, code: str) -> None:
    recovery = PasswordRecovery.objects.select_related("user").get(pk=recovery_pk)
    user = recovery.user
    send_email(
        template="accounts/email/recovery_code",
        context={
            "user": user,
            "code": format_code(code),
            "minutes": settings.RECOVERY_CODE_MINUTES,
        },
        to=[user.email],
        language=user.language,
    )


@task()
def send_password_changed(user_pk: int) -> None:
    user = User.objects.get(pk=user_pk)
    send_email(
        template="accounts/email/password_changed",
        context={"user": user},
        to=[user.email],
        language=user.language,
    )
