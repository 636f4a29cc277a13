from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as BasePasswordChangeForm
from django.utils.translation import gettext_lazy as _

from accounts import secrets as codes
from accounts.models import SecretQuestion, User
from accounts.services import CREATABLE_ROLES
from service_portal.idempotency import SubmissionTokenMixin
from service_portal.roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Both fields may be case-sensitive."),
        "inactive": _("This account has been deactivated. Ask an administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _(
            "First time here? Type your identification code as both username and password."
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


# --- Administrators ---------------------------------------------------------------------------
class UserCreateForm(SubmissionTokenMixin, forms.Form):
    """A double click creates one user, not two (see service_portal.idempotency)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in Role if r in CREATABLE_ROLES],
        initial=Role.TECHNICIAN,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional: the user can enter or change it during the first login."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


# --- The user's own secret question -----------------------------------------------------------
class SecretQuestionFields(forms.Form):
    """Pick a question from the list or write one; the answer is stored only as a hash."""

    question_choice = forms.ModelChoiceField(
        label=_("Secret question"),
        queryset=SecretQuestion.objects.filter(is_active=True),
        required=False,
        empty_label=_("— write my own question —"),
    )
    own_question = forms.CharField(
        label=_("Your own question"),
        max_length=200,
        required=False,
        help_text=_("Only if you did not pick a question from the list."),
    )
    secret_answer = forms.CharField(
        label=_("Answer"),
        max_length=200,
        min_length=3,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
        help_text=_(
            "Choose something only you know and will remember. Upper/lower case, accents and "
            "extra spaces do not matter."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("question_choice")
        own = (data.get("own_question") or "").strip()
        if choice and own:
            self.add_error(
                "own_question", _("Pick a question from the list or write one, not both.")
            )
        elif not choice and not own:
            self.add_error("question_choice", _("Pick a question or write your own."))
        data["secret_question"] = own
        answer = data.get("secret_answer") or ""
        if answer and len(codes.normalise_answer(answer)) < 3:
            self.add_error("secret_answer", _("The answer is too short."))
        return data


class OnboardingForm(SecretQuestionFields):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    username = forms.CharField(
        label=_("New username"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Letters, digits and @/./+/-/_ only. Not your identification code."),
    )
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "language",
        "username",
        "password1",
        "password2",
        "question_choice",
        "own_question",
        "secret_answer",
    ]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        normalised = codes.normalise_code(username)
        if codes.looks_like_code(
            normalised, codes.FIRST_LOGIN_CODE_LENGTH
        ) or username.lower().startswith("pending-"):
            raise forms.ValidationError(_("Choose a username of your own, not a code."))
        if User.objects.filter(username__iexact=username).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            # Validate against the data the user is about to have (similarity to names).
            probe = User(
                username=data.get("username") or "",
                first_name=data.get("first_name") or "",
                last_name=data.get("last_name") or "",
                email=data.get("email") or "",
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        answer = codes.normalise_answer(data.get("secret_answer") or "")
        if answer and p1 and answer == codes.normalise_answer(p1):
            self.add_error("secret_answer", _("The answer must not be your password."))
        return data


class CurrentPasswordMixin(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your current password is not correct."))
        return password


class SecretChangeForm(CurrentPasswordMixin, SecretQuestionFields):
    field_order = ["current_password", "question_choice", "own_question", "secret_answer"]


class PasswordChangeForm(BasePasswordChangeForm):
    """Django's form: the current password, then the new one twice with the validators."""


# --- Password recovery -----------------------------------------------------------------------
class RecoveryStartForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the e-mail"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class RecoveryAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
