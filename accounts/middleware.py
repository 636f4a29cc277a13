from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A logged-in user sees the portal in their own preferred language, on any device.

    Runs after LocaleMiddleware (which handles anonymous visitors through the language cookie)
    and AuthenticationMiddleware; switching language while logged in updates the preference.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


# URL names a user in onboarding may still reach.
ONBOARDING_ALLOWED = ("accounts:onboarding", "accounts:logout", "accounts:set_language", "health")


class OnboardingMiddleware:
    """A user logged in with an identification code reaches the onboarding page and nothing else.

    Every other URL (typed, bookmarked, an htmx request) redirects there until the onboarding
    is finished, so the code cannot be used to see or change anything in the portal.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: set[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_onboard:
            if not user.first_login_code_valid:
                # The code expired while the onboarding page was open: start over with a new one.
                logout(request)
                messages.error(
                    request,
                    _("Your identification code has expired. Ask an administrator for a new one."),
                )
                return redirect("accounts:login")
            if self._allowed is None:
                self._allowed = {reverse(name) for name in ONBOARDING_ALLOWED}
            if request.path_info not in self._allowed:
                return redirect("accounts:onboarding")
        return self.get_response(request)
