"""Every change to accounts goes through here: checked, atomic, recorded in the audit trail.

Views stay thin: they validate input with forms and call one of these functions, which check
the acting user's role and the preconditions and raise ``AccountError`` with a translated
message when the change is not allowed.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import secrets as codes
from accounts import tasks, throttle
from accounts.audit import client_ip, record_event
from accounts.models import AuthEvent, PasswordRecovery, SecretQuestion, User
from service_portal.errors import DomainError
from service_portal.permissions import check_role
from service_portal.roles import ADMINISTRATORS, Role
from service_portal.tasks import enqueue_after_commit, enqueue_after_response

CREATABLE_ROLES = (Role.TECHNICIAN, Role.OPERATOR)
FIRST_LOGIN = "first-login"
RECOVERY = "recovery"


class AccountError(DomainError):
    """A change to an account that is not allowed; the message is shown to the user."""


# --- Administrators: creating and managing users --------------------------------------------
@transaction.atomic
def create_user(
    *,
    acting_user: User,
    first_name: str,
    last_name: str,
    role: str,
    language: str,
    email: str = "",
    phone: str = "",
) -> tuple[User, str]:
    """Create a technician or operator in onboarding; returns the user and their code.

    The code is returned once so the page can show it; only its hash is kept.
    """
    check_role(acting_user, ADMINISTRATORS)
    if role not in CREATABLE_ROLES:
        raise AccountError(_("Only technicians and operators can be created here."))
    user = User(
        username=_placeholder_username(),
        first_name=first_name,
        last_name=last_name,
        role=role,
        language=language,
        email=email,
        phone=phone,
    )
    user.set_unusable_password()
    user.save()
    code = _issue_code(user=user, acting_user=acting_user)
    return user, code


@transaction.atomic
def issue_first_login_code(*, user: User, acting_user: User) -> str:
    """A new identification code: the old one stops working and the user onboards again.

    This is also how an administrator helps a user who lost both password and e-mail access:
    the user sets new credentials and a new secret question with the code.
    """
    check_role(acting_user, ADMINISTRATORS)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == acting_user.pk:
        raise AccountError(_("You cannot issue an identification code to yourself."))
    if not user.is_active:
        raise AccountError(_("Reactivate the account before issuing a new code."))
    if not user.must_onboard:
        user.set_unusable_password()
        user.must_onboard = True
        user.save(update_fields=["password", "must_onboard"])
    # Whoever is logged in as this user, with the password or with an older code, is logged
    # out: a code reissued because it leaked must not leave a session open behind it.
    user.session_generation += 1
    user.save(update_fields=["session_generation"])
    return _issue_code(user=user, acting_user=acting_user)


def _issue_code(*, user: User, acting_user: User) -> str:
    code = codes.generate_code(codes.FIRST_LOGIN_CODE_LENGTH)
    user.must_onboard = True
    user.first_login_code_hash = codes.hash_code(code, purpose=FIRST_LOGIN)
    user.first_login_code_expires = timezone.now() + datetime.timedelta(
        days=settings.FIRST_LOGIN_CODE_DAYS
    )
    user.save(update_fields=["must_onboard", "first_login_code_hash", "first_login_code_expires"])
    record_event(AuthEvent.Kind.CODE_ISSUED, user=user, actor=acting_user)
    return code


def _placeholder_username() -> str:
    # Never shown for long: the user chooses their own name while onboarding.
    return f"pending-{codes.generate_code(10).lower()}"


@transaction.atomic
def set_active(*, user: User, active: bool, acting_user: User) -> None:
    check_role(acting_user, ADMINISTRATORS)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == acting_user.pk:
        raise AccountError(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return
    user.is_active = active
    fields = ["is_active"]
    if not active:
        user.session_generation += 1
        fields.append("session_generation")
    user.save(update_fields=fields)
    kind = AuthEvent.Kind.REACTIVATED if active else AuthEvent.Kind.DEACTIVATED
    record_event(kind, user=user, actor=acting_user)


def user_for_code(raw_code: str) -> User | None:
    """The user in onboarding whose valid identification code this is (for the login)."""
    code = codes.normalise_code(raw_code)
    if not codes.looks_like_code(code, codes.FIRST_LOGIN_CODE_LENGTH):
        return None
    user = User.objects.filter(
        must_onboard=True,
        is_active=True,
        first_login_code_hash=codes.hash_code(code, purpose=FIRST_LOGIN),
        first_login_code_expires__gt=timezone.now(),
    ).first()
    return user


# --- The user themself -----------------------------------------------------------------------
@transaction.atomic
def complete_onboarding(
    *,
    user: User,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    language: str,
    secret_question: str,
    secret_answer: str,
    question_choice: SecretQuestion | None = None,
    request: HttpRequest | None = None,
) -> User:
    """The user's own credentials replace the code, which stops working at once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.must_onboard:
        raise AccountError(_("This account has already been set up."))
    if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        raise AccountError(_("This username is already taken."))
    user.username = username
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.phone = phone
    user.language = language
    user.set_password(password)
    user.secret_question_choice = question_choice
    user.secret_question = "" if question_choice else secret_question
    user.secret_answer_hash = codes.hash_answer(secret_answer)
    user.must_onboard = False
    user.first_login_code_hash = ""
    user.first_login_code_expires = None
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same username chosen at the same moment by someone else
        raise AccountError(_("This username is already taken.")) from None
    record_event(AuthEvent.Kind.ONBOARDED, user=user, request=request)
    return user


@transaction.atomic
def change_password(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Callers have checked the current password (the form asks for it)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_event(AuthEvent.Kind.PASSWORD_CHANGED, user=user, request=request)
    _notify_password_changed(user)


@transaction.atomic
def change_secret(
    *,
    user: User,
    question: str,
    answer: str,
    question_choice: SecretQuestion | None = None,
    request: HttpRequest | None = None,
) -> None:
    user.secret_question_choice = question_choice
    user.secret_question = "" if question_choice else question
    user.secret_answer_hash = codes.hash_answer(answer)
    user.save(update_fields=["secret_question_choice", "secret_question", "secret_answer_hash"])
    record_event(AuthEvent.Kind.SECRET_CHANGED, user=user, request=request)


@transaction.atomic
def logout_everywhere(*, user: User, request: HttpRequest | None = None) -> None:
    """Every session of the user ends, on every device, this one included."""
    User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
    record_event(AuthEvent.Kind.LOGOUT_EVERYWHERE, user=user, request=request)


def _notify_password_changed(user: User) -> None:
    if user.email:
        enqueue_after_commit(tasks.send_password_changed, user.pk)


# --- Password recovery ---------------------------------------------------------------------
@dataclass
class RecoveryState:
    """What the recovery pages keep in the (server-side) session between steps.

    ``account`` is the throttling key of the account asked for: ``user:<id>`` when the name
    resolves to an account, otherwise a hash of the normalised name; ``user_id`` is set only
    for an account that recovery works for; ``recovery_id`` once a code has been accepted.
    """

    username: str
    account: str = ""
    user_id: int | None = None
    recovery_id: int | None = None


def _account_for(username: str) -> User | None:
    """The account a typed name means: look-alike forms and case do not matter."""
    name = codes.normalise_username(username)
    return User.objects.filter(username__iexact=name).first() if name else None


def account_key(user: User | None, username: str) -> str:
    """The counters' key: the resolved account, never the typed text (so ``MARTA`` or a
    full-width ``ｍａｒｔａ`` share marta's counters, and unknown names are stored hashed)."""
    if user is not None:
        return f"user:{user.pk}"
    name = codes.normalise_username(username).casefold()
    return "name:" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:40]


def _recoverable(user: User | None) -> bool:
    """Recovery works for active, set-up accounts with a secret answer to ask."""
    if user is None or not user.is_active or user.must_onboard:
        return False
    if not user.has_usable_password():
        return False
    # Without the second factor the e-mailed code would be the only proof: not enough. These
    # accounts (createsuperuser, create_admin) get back in through an administrator.
    return user.has_secret_answer


def start_recovery(*, username: str, request: HttpRequest | None = None) -> RecoveryState:
    """Step 1: e-mail a one-time code if the account can be recovered; say nothing either way.

    The caller answers identically whether or not the username exists: the same work is done
    (one lookup, one code, one hash) and the e-mail is handed to the task queue after the
    response (``enqueue_after_response``), so no answer waits for the mail server.

    Waits are shown only for the asker's address. The account's own limit
    (``RECOVERY_FREE_REQUESTS`` e-mails, then growing waits) only stops new e-mails, silently:
    someone asking for a colleague's account from elsewhere fills no mailbox and closes
    nothing, because every code already sent keeps working.
    """
    address = client_ip(request)
    address_keys = throttle.address_keys(address) + throttle.address_keys(address, "request-")
    wait = throttle.seconds_to_wait(address_keys)
    if wait:
        raise RecoveryThrottled(wait)
    throttle.record_failure(
        throttle.address_keys(address, "request-"), free=settings.RECOVERY_FREE_REQUESTS
    )
    user = _account_for(username)
    account = account_key(user, username)
    mail_keys = [("request-" + throttle.ACCOUNT, account)]
    may_mail = not throttle.seconds_to_wait(mail_keys)
    throttle.record_failure(mail_keys, free=settings.RECOVERY_FREE_REQUESTS)
    recoverable = user if _recoverable(user) else None
    code = codes.generate_code(codes.RECOVERY_CODE_LENGTH)
    code_hash = codes.hash_code(code, purpose=RECOVERY)
    state = RecoveryState(
        username=codes.normalise_username(username),
        account=account,
        user_id=recoverable.pk if recoverable else None,
    )
    with transaction.atomic():
        if recoverable is not None and recoverable.email and may_mail:
            recovery = PasswordRecovery.objects.create(
                user=recoverable,
                code_hash=code_hash,
                expires_at=timezone.now()
                + datetime.timedelta(minutes=settings.RECOVERY_CODE_MINUTES),
            )
            enqueue_after_response(tasks.send_recovery_code, recovery.pk, code)
        # Without e-mail an administrator issues the code (see issue_recovery_code).
        record_event(
            AuthEvent.Kind.RECOVERY_REQUESTED,
            user=recoverable,
            username=recoverable.username if recoverable else "",
            request=request,
            detail="" if may_mail else "limit",
        )
    return state


@transaction.atomic
def issue_recovery_code(*, user: User, acting_user: User) -> str:
    """For a user without e-mail: the administrator hands over the recovery code in person."""
    check_role(acting_user, ADMINISTRATORS)
    if user.must_onboard or not user.has_usable_password():
        raise AccountError(_("This user has not completed onboarding: issue a new code."))
    if not user.has_secret_answer:
        raise AccountError(_("This user has no secret question: issue a new code instead."))
    code = codes.generate_code(codes.RECOVERY_CODE_LENGTH)
    PasswordRecovery.objects.create(
        user=user,
        code_hash=codes.hash_code(code, purpose=RECOVERY),
        expires_at=timezone.now() + datetime.timedelta(hours=settings.RECOVERY_ADMIN_CODE_HOURS),
        issued_by=acting_user,
    )
    record_event(AuthEvent.Kind.CODE_ISSUED, user=user, actor=acting_user, detail="recovery")
    return code


@transaction.atomic
def unlock_account(*, user: User, acting_user: User) -> None:
    """An administrator's help: the login lockouts of the account (from every address) and its
    recovery waits end now. Addresses keep their own counters."""
    check_role(acting_user, ADMINISTRATORS)
    _reset_account_limits(user)
    record_event(AuthEvent.Kind.UNLOCKED, user=user, actor=acting_user)


def _reset_account_limits(user: User) -> None:
    from axes.utils import reset as reset_axes

    key = account_key(user, user.username)
    throttle.reset([(throttle.ACCOUNT, key), ("request-" + throttle.ACCOUNT, key)])
    reset_axes(username=user.username)


class RecoveryThrottled(AccountError):
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(
            _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": seconds}
        )


# At most this many open codes are compared: more cannot be open at once in practice (each
# account gets RECOVERY_FREE_REQUESTS e-mails, then growing waits).
OPEN_CODES_COMPARED = 20


def _open_recoveries(user_id: int | None) -> QuerySet[PasswordRecovery]:
    if user_id is None:
        return PasswordRecovery.objects.none()
    return PasswordRecovery.objects.filter(
        user_id=user_id, completed_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def open_recovery(state: RecoveryState) -> PasswordRecovery | None:
    if state.recovery_id is None:
        return None
    return (
        PasswordRecovery.objects.select_related("user__secret_question_choice")
        .filter(pk=state.recovery_id, completed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def _guarded(keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    wait = throttle.seconds_to_wait(keys)
    if wait:
        raise RecoveryThrottled(wait)
    return keys


def _fail(
    state: RecoveryState,
    keys: list[tuple[str, str]],
    request: HttpRequest | None,
    recovery: PasswordRecovery | None,
    detail: str,
    message: str,
) -> NoReturn:
    throttle.record_failure(keys)
    record_event(
        AuthEvent.Kind.RECOVERY_FAILED,
        user=recovery.user if recovery else None,
        username=recovery.user.username if recovery else "",
        request=request,
        detail=detail,
    )
    raise AccountError(message)


def verify_recovery_code(
    *, state: RecoveryState, code: str, request: HttpRequest | None = None
) -> PasswordRecovery:
    """Step 2: a code from the e-mails (any still open one of the account, or the one an
    administrator issued). Wrong, expired and unknown all look the same.

    Wrong codes count against the address only: counting them against the account would let
    anyone close a colleague's recovery by typing nonsense. A code has about 40 bits and lives
    minutes; the address's growing waits are enough.
    """
    keys = _guarded(throttle.address_keys(client_ip(request)))
    typed = codes.normalise_code(code)
    recovery = next(
        (
            candidate
            for candidate in _open_recoveries(state.user_id)[:OPEN_CODES_COMPARED]
            if codes.code_matches(typed, candidate.code_hash, purpose=RECOVERY)
        ),
        None,
    )
    if recovery is None:
        _fail(state, keys, request, None, "code", _("The code is wrong or has expired."))
    recovery.code_verified_at = timezone.now()
    recovery.save(update_fields=["code_verified_at"])
    state.recovery_id = recovery.pk
    return recovery


def verify_secret_answer(
    *, state: RecoveryState, answer: str, request: HttpRequest | None = None
) -> PasswordRecovery:
    """Step 3: the secret answer, compared after normalisation with the stored hash.

    Only someone holding a valid e-mailed code gets here, so wrong answers count against the
    account too: guessing one person's answer from many addresses stops quickly.
    """
    keys = _guarded(throttle.keys_for(account=state.account, address=client_ip(request)))
    recovery = open_recovery(state)
    if recovery is None or recovery.code_verified_at is None:
        raise AccountError(_("The recovery has expired: start again."))
    if not codes.answer_matches(answer, recovery.user.secret_answer_hash):
        _fail(state, keys, request, recovery, "answer", _("The answer is not correct."))
    throttle.reset(keys[:1])
    recovery.answer_verified_at = timezone.now()
    recovery.save(update_fields=["answer_verified_at"])
    return recovery


@transaction.atomic
def complete_recovery(
    *, state: RecoveryState, password: str, request: HttpRequest | None = None
) -> User:
    """Step 4: the new password. Every other session ends (the password is in their hash)."""
    recovery = open_recovery(state)
    if recovery is None or recovery.answer_verified_at is None:
        raise AccountError(_("The recovery has expired: start again."))
    recovery = PasswordRecovery.objects.select_for_update().get(pk=recovery.pk)
    user = User.objects.select_for_update().get(pk=recovery.user_id)
    user.set_password(password)
    user.session_generation += 1
    user.save(update_fields=["password", "session_generation"])
    recovery.completed_at = timezone.now()
    recovery.save(update_fields=["completed_at"])
    # Any other open recovery of the same user is void now.
    PasswordRecovery.objects.filter(user=user, completed_at__isnull=True).update(
        completed_at=recovery.completed_at
    )
    # Whoever was guessing this password is locked out no longer matters: the owner is back.
    _reset_account_limits(user)
    record_event(AuthEvent.Kind.RECOVERY_COMPLETED, user=user, request=request)
    _notify_password_changed(user)
    return user
