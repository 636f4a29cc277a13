"""People who log in, how they prove who they are, and the trail their authentication leaves."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import connections, models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The role vocabulary is service_portal.roles (the lowest layer); ``accounts.models.Role`` is
# the same class, kept importable for the tests and the shell.
from service_portal.roles import STAFF, Role


class UserManager(BaseUserManager):
    def get(self, *args, **kwargs):
        """``User.objects.get(pk=<int>)`` (Django's auth reads the signed-in user so on every
        request) runs a query compiled once per database connection instead of building and
        compiling the same query each time (about 0.9 ms of CPU a request, most of what a
        signed-in page paid for its user). The row is read from the database every time, with
        the same converters and ``from_db`` as the ORM: a deactivated, demoted or logged-out
        user is seen on the next request exactly as before. Any other lookup is Django's own.
        """
        pk = kwargs.get("pk")
        if args or len(kwargs) != 1 or type(pk) is not int:
            return super().get(*args, **kwargs)
        return self._get_by_pk(pk)

    # Marks the pk in the compiled SQL's parameters (a value no id holds).
    _PK_MARKER = -918273645

    def _get_by_pk(self, pk: int):
        alias = self.db
        connection = connections[alias]
        # Kept on the connection object: connections are per thread, and the SQL, the columns
        # and the converters belong to that connection's backend.
        compiled = getattr(connection, "_portal_user_by_pk", None)
        if compiled is None or compiled[0] is not self.model:
            queryset = self.get_queryset().filter(pk=self._PK_MARKER)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            columns = [column for column, _, _ in compiler.select]
            fields = [column.target.attname for column in columns]
            if list(params) != [self._PK_MARKER] or fields != [
                field.attname for field in self.model._meta.concrete_fields
            ]:
                return super().get(pk=pk)  # a filtered manager or odd model: the ORM's way
            converters = [
                (
                    position,
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection),
                    column,
                )
                for position, column in enumerate(columns)
            ]
            converters = [(p, c, e) for p, c, e in converters if c]
            compiled = (self.model, sql, fields, converters)
            connection._portal_user_by_pk = compiled
        _, sql, fields, converters = compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        if converters:
            row = list(row)
            for position, functions, expression in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
        return self.model.from_db(alias, fields, row)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is the portal's administrator too (``createsuperuser`` on a new install).
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class SecretQuestion(models.Model):
    """A question users may pick for password recovery (master data, translatable).

    Users can also write their own question. A question from this list is shown in the reader's
    language; fix typos freely, but deactivate (rather than rewrite) a question people use.
    """

    text = models.CharField(_("question"), max_length=200)
    is_active = models.BooleanField(pgettext_lazy("secret question", "active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("secret question")
        verbose_name_plural = _("secret questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class User(AbstractUser):
    """A person who logs in: back-office administrator, help-desk operator or field technician.

    A user created by an administrator through the portal starts *in onboarding*: they hold a
    one-time identification code (only its hash is stored) and, once logged in with it, may only
    complete the onboarding form. Every other way of creating users (``createsuperuser``,
    ``create_admin``, the demo data, the Django admin, test factories) gives a normal account.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TECHNICIAN)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Pages and e-mails are shown in this language."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    must_onboard = models.BooleanField(
        _("onboarding pending"),
        default=False,
        help_text=_("The user still has to log in with their identification code."),
    )
    first_login_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    first_login_code_expires = models.DateTimeField(
        _("identification code valid until"), null=True, blank=True, editable=False
    )
    secret_question_choice = models.ForeignKey(
        SecretQuestion,
        verbose_name=_("secret question"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The user's own question, when they wrote one instead of picking from the list.
    secret_question = models.CharField(_("own secret question"), max_length=200, blank=True)
    secret_answer_hash = models.CharField(max_length=128, blank=True, editable=False)
    # Bumped to end every session of the user ("log out everywhere", deactivation): it is part
    # of the session hash Django checks on every request.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]
        indexes = [models.Index(fields=["role", "is_active"], name="user_role_active_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return person_name(self.first_name, self.last_name, self.username)

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._saved_role = user.__dict__.get("role")
        return user

    def save(self, *args, **kwargs) -> None:
        """Operators keep the master data in the Django admin (accounts/operators.py): setting
        the role makes the account staff and puts it in the operators group, or takes it out."""
        role_set = self._state.adding or getattr(self, "_saved_role", None) != self.role
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "role" not in update_fields:
            role_set = False
        if role_set:
            if self.role == Role.OPERATOR:
                self.is_staff = True
            elif self.role == Role.TECHNICIAN:
                self.is_staff = False
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)
        if role_set:
            from accounts.operators import sync_admin_access

            sync_admin_access(self)
        self._saved_role = self.role

    def _get_session_auth_hash(self, secret=None):
        # Django's hash covers the password only; adding the generation lets us end all
        # sessions without touching the password.
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_technician(self) -> bool:
        return self.role == Role.TECHNICIAN

    @property
    def is_office_staff(self) -> bool:
        """Administrators and operators: the people who run the help desk."""
        return self.role in STAFF

    @property
    def first_login_code_valid(self) -> bool:
        return bool(
            self.must_onboard
            and self.first_login_code_hash
            and self.first_login_code_expires
            and self.first_login_code_expires > timezone.now()
        )

    @property
    def secret_question_text(self) -> str:
        if self.secret_question_choice_id:
            return self.secret_question_choice.text
        return self.secret_question

    @property
    def has_secret_answer(self) -> bool:
        return bool(self.secret_answer_hash)


class AuthEvent(models.Model):
    """Append-only audit trail of authentication: who, what, when, from where."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Locked out")
        LOGOUT = "logout", _("Logout")
        LOGOUT_EVERYWHERE = "logout_everywhere", _("Logged out everywhere")
        CODE_ISSUED = "code_issued", _("Identification code issued")
        ONBOARDED = "onboarded", _("Onboarding completed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        SECRET_CHANGED = "secret_changed", _("Secret question changed")
        RECOVERY_REQUESTED = "recovery_requested", _("Recovery requested")
        RECOVERY_FAILED = "recovery_failed", _("Recovery step failed")
        RECOVERY_COMPLETED = "recovery_completed", _("Password recovered")
        DEACTIVATED = "deactivated", _("Account deactivated")
        REACTIVATED = "reactivated", _("Account reactivated")
        UNLOCKED = "unlocked", _("Login and recovery unlocked")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="auth_events",
    )
    # The name typed, kept even when it matches nobody (failed logins, recovery attempts).
    username = models.CharField(_("username"), max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("authentication event")
        verbose_name_plural = _("authentication events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="authevent_kind_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"


class PasswordRecovery(models.Model):
    """One password-recovery attempt: a one-time code (hashed), then the secret answer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recoveries"
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    code_verified_at = models.DateTimeField(null=True, blank=True)
    answer_verified_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("password recovery")
        verbose_name_plural = _("password recoveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.expires_at > timezone.now()


class Throttle(models.Model):
    """Failure counter with a growing wait, per account or per address (recovery steps)."""

    scope = models.CharField(max_length=20)
    key = models.CharField(max_length=200)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="throttle_scope_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.failures})"


def person_name(first_name: str, last_name: str, username: str) -> str:
    """How a person is named on every page (``str(user)``): the full name
    (``AbstractUser.get_full_name``), else the username. Rows read as values name people with
    it too."""
    return f"{first_name} {last_name}".strip() or username
