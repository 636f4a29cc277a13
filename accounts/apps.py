from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Authentication events come from Django and django-axes as signals: the audit trail
        # listens to them instead of wrapping every way of logging in.
        from axes.signals import user_locked_out
        from django.contrib.auth import signals

        from accounts import audit
        from accounts.backends import count_failure
        from accounts.middleware import stamp_session_on_login

        signals.user_logged_in.connect(audit.on_logged_in, dispatch_uid="accounts_audit_in")
        signals.user_logged_out.connect(audit.on_logged_out, dispatch_uid="accounts_audit_out")
        signals.user_login_failed.connect(audit.on_login_failed, dispatch_uid="accounts_audit_fail")
        signals.user_login_failed.connect(count_failure, dispatch_uid="accounts_address_fail")
        signals.user_logged_in.connect(stamp_session_on_login, dispatch_uid="accounts_session_in")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="accounts_audit_lockout")
