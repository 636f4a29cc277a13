from __future__ import annotations

import math
import time
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import (
    LanguageForm,
    LoginForm,
    OnboardingForm,
    PasswordChangeForm,
    RecoveryAnswerForm,
    RecoveryCodeForm,
    RecoveryStartForm,
    SecretChangeForm,
    UserCreateForm,
)
from accounts.models import User
from accounts.secrets import format_code
from service_portal import idempotency
from service_portal.crud import PortalListView
from service_portal.errors import show_error
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS, EVERYONE

SHOWN_CODE = "accounts_shown_code"
RECOVERY_STATE = "accounts_recovery"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        wait = getattr(self.request, "login_address_wait", 0)
        if wait:  # accounts.backends.AddressLimitBackend refused to check the password
            return lockout(self.request, seconds=wait)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if not user.must_onboard and not user.has_secret_answer:
            messages.info(
                self.request,
                _(
                    "You have no secret question yet: set one from your user menu, or you will "
                    "not be able to recover a forgotten password by yourself."
                ),
            )
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: for this browser, and for the user when logged in."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or request.headers.get("referer") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response


# --- First login --------------------------------------------------------------------------
@never_cache
@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.must_onboard:
        return redirect("home")
    form = OnboardingForm(
        request.POST or None,
        user=user,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": user.phone,
            "language": user.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.complete_onboarding(
                user=user,
                username=data["username"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                language=data["language"],
                secret_question=data["secret_question"],
                secret_answer=data["secret_answer"],
                question_choice=data["question_choice"],
                request=request,
            )
        except services.AccountError as error:
            show_error(request, error, form)
        else:
            update_session_auth_hash(request, user)
            translation.activate(user.language)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("home")
    return render(request, "accounts/onboarding.html", {"form": form})


# --- The user's own account ---------------------------------------------------------------
@role_required(*EVERYONE)
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(
            user=request.user, password=form.cleaned_data["new_password1"], request=request
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(
        request,
        "portal/form.html",
        {"form": form, "page_title": _("Change password"), "cancel_url": reverse("home")},
    )


@role_required(*EVERYONE)
def secret_change(request: HttpRequest) -> HttpResponse:
    form = SecretChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.change_secret(
            user=request.user,
            question=form.cleaned_data["secret_question"],
            answer=form.cleaned_data["secret_answer"],
            question_choice=form.cleaned_data["question_choice"],
            request=request,
        )
        messages.success(request, _("Your secret question has been changed."))
        return redirect("home")
    return render(
        request,
        "portal/form.html",
        {"form": form, "page_title": _("Change secret question"), "cancel_url": reverse("home")},
    )


@require_POST
@role_required(*EVERYONE)
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    services.logout_everywhere(user=request.user, request=request)
    auth_logout(request)
    messages.success(request, _("You have been logged out on every device."))
    return forget_on_this_device(redirect("accounts:login"))


# What the phone kept for working without signal (pages, files, the outbox: service_portal/pwa.py)
# goes with the session. The page's script deletes it before logging out (after a warning when
# entries wait); the header is the browser's own guarantee, also without that script.
CLEAR_SITE_DATA = '"cache", "storage"'


def forget_on_this_device(response: HttpResponse) -> HttpResponse:
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


class LogoutView(auth_views.LogoutView):
    """Django's logout, and the browser told to delete what it keeps of the portal."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return forget_on_this_device(super().post(request, *args, **kwargs))


# --- Administrators: users ----------------------------------------------------------------
class UserList(PortalListView):
    allowed_roles = ADMINISTRATORS
    model = User
    filterset_class = selectors.UserFilter
    template_name = "accounts/user_list.html"

    def get_queryset(self):
        return selectors.users()


@role_required(*ADMINISTRATORS)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, initial={"language": settings.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        token = data.pop("submission_token")
        try:
            with idempotency.once(token, request.user) as sent:
                user, code = services.create_user(acting_user=request.user, **data)
                url = reverse("accounts:user_code", args=[user.pk])
                sent.done(url)
        except idempotency.AlreadySubmitted as repeat:
            message = _("This user had already been created.")
            return idempotency.already_saved(request, repeat, "accounts:user_list", message)
        except services.AccountError as error:
            show_error(request, error, form)
        else:
            _remember_code(request, user, code, "first_login")
            return redirect(url)
    return render(
        request,
        "portal/form.html",
        {
            "form": form,
            "page_title": gettext_lazy("New technician or operator"),
            "cancel_url": reverse("accounts:user_list"),
        },
    )


@role_required(*ADMINISTRATORS)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    return render(
        request,
        "accounts/user_detail.html",
        {"target": target, "events": selectors.recent_events_for(target)},
    )


def _remember_code(request: HttpRequest, user: User, code: str, kind: str) -> None:
    # Kept in the session for exactly one page view: the code is shown once, never stored.
    request.session[SHOWN_CODE] = {"user": user.pk, "code": code, "kind": kind}


@never_cache
@role_required(*ADMINISTRATORS)
def user_code(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    shown = request.session.pop(SHOWN_CODE, None)
    code = kind = None
    if shown and shown.get("user") == target.pk:
        code, kind = format_code(shown["code"]), shown["kind"]
    return render(
        request,
        "accounts/user_code.html",
        {
            "target": target,
            "code": code,
            "kind": kind,
            "login_url": settings.SITE_URL + reverse("accounts:login"),
        },
    )


@require_POST
@role_required(*ADMINISTRATORS)
def user_issue_code(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    try:
        code = services.issue_first_login_code(user=target, acting_user=request.user)
    except services.AccountError as error:
        show_error(request, error)
        return redirect("accounts:user_detail", pk=target.pk)
    _remember_code(request, target, code, "first_login")
    return redirect("accounts:user_code", pk=target.pk)


@require_POST
@role_required(*ADMINISTRATORS)
def user_issue_recovery_code(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    try:
        code = services.issue_recovery_code(user=target, acting_user=request.user)
    except services.AccountError as error:
        show_error(request, error)
        return redirect("accounts:user_detail", pk=target.pk)
    _remember_code(request, target, code, "recovery")
    return redirect("accounts:user_code", pk=target.pk)


@require_POST
@role_required(*ADMINISTRATORS)
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Help for someone locked out: their login lockouts and recovery waits end now."""
    target = get_object_or_404(User, pk=pk)
    services.unlock_account(user=target, acting_user=request.user)
    messages.success(request, _("Login and password recovery are unlocked for this account."))
    return redirect("accounts:user_detail", pk=target.pk)


@require_POST
@role_required(*ADMINISTRATORS)
def user_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    try:
        services.set_active(user=target, active=active, acting_user=request.user)
    except services.AccountError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("The account has been reactivated.")
            if active
            else _("The account has been deactivated."),
        )
    return redirect("accounts:user_detail", pk=target.pk)


class AuditLog(PortalListView):
    allowed_roles = ADMINISTRATORS
    filterset_class = selectors.AuthEventFilter
    template_name = "accounts/audit_log.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.events()


# --- Password recovery --------------------------------------------------------------------
def _padded(started: float) -> None:
    """Answer no faster than the configured minimum: timing must not tell who exists."""
    remaining = settings.RECOVERY_MIN_RESPONSE_SECONDS - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def _state(request: HttpRequest) -> services.RecoveryState | None:
    data = request.session.get(RECOVERY_STATE)
    return services.RecoveryState(**data) if data else None


def _recovery_page(request: HttpRequest, step: str, form: Any, **extra: Any) -> HttpResponse:
    return render(request, "accounts/recover.html", {"form": form, "step": step, **extra})


@never_cache
def recover_start(request: HttpRequest) -> HttpResponse:
    form = RecoveryStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = time.monotonic()
        try:
            state = services.start_recovery(username=form.cleaned_data["username"], request=request)
        except services.AccountError as error:
            show_error(request, error, form)
        else:
            request.session[RECOVERY_STATE] = asdict(state)
            _padded(started)
            return redirect("accounts:recover_code")
        _padded(started)
    return _recovery_page(request, "start", form)


@never_cache
def recover_code(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if state is None:
        return redirect("accounts:recover_start")
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = time.monotonic()
        try:
            services.verify_recovery_code(
                state=state, code=form.cleaned_data["code"], request=request
            )
        except services.AccountError as error:
            show_error(request, error, form)
            _padded(started)
        else:
            request.session[RECOVERY_STATE] = asdict(state)
            return redirect("accounts:recover_answer")
    return _recovery_page(request, "code", form, username=state.username)


@never_cache
def recover_answer(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    recovery = services.open_recovery(state) if state else None
    if recovery is None or recovery.code_verified_at is None:
        return redirect("accounts:recover_start")
    form = RecoveryAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_secret_answer(
                state=state, answer=form.cleaned_data["answer"], request=request
            )
        except services.AccountError as error:
            show_error(request, error, form)
        else:
            return redirect("accounts:recover_password")
    return _recovery_page(
        request,
        "answer",
        form,
        question=recovery.user.secret_question_text or _("(no question set)"),
    )


@never_cache
def recover_password(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    recovery = services.open_recovery(state) if state else None
    if recovery is None or recovery.answer_verified_at is None:
        return redirect("accounts:recover_start")
    form = SetPasswordForm(recovery.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_recovery(
                state=state, password=form.cleaned_data["new_password1"], request=request
            )
        except services.AccountError as error:
            show_error(request, error, form)
        else:
            request.session.pop(RECOVERY_STATE, None)
            if request.user.is_authenticated:
                auth_logout(request)
            messages.success(request, _("Your password has been changed. Log in with it now."))
            return redirect("accounts:login")
    return _recovery_page(request, "password", form)


def lockout(
    request: HttpRequest,
    original_response: Any = None,
    credentials: Any = None,
    *,
    seconds: int | None = None,
):
    """django-axes' answer to a locked-out username+address (and the per-address limit's,
    with ``seconds``): a page, not a bare string."""
    address_only = seconds is not None
    if seconds is None:
        seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, math.ceil(seconds / 60))
    context = {"minutes": minutes, "address_only": address_only}
    response = render(request, "accounts/lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
