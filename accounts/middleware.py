import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
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


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without requests; the expiry moves once a minute.

    Django's SESSION_SAVE_EVERY_REQUEST would write the session row (an UPDATE and a commit) on
    every page. Here a signed-in request marks the session modified, so SessionMiddleware saves
    it with a new expiry and cookie, only when its last refresh is SESSION_REFRESH_SECONDS old
    or older: the idle timeout keeps its meaning to the minute for one write a minute per user.
    Logging in stamps the session (stamp_session_on_login), so the pages that follow a login
    do not write within that minute either, and every page's query count is the same whatever
    the order of the requests.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session that signs a user in: not an API request authenticated by its token
        # (its session was never read), nor a visitor's, nor one the request logged out.
        if session is not None and session.accessed and session.get(SESSION_KEY) is not None:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # modified: saved with a new expiry
        return response


def stamp_session_on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver: the login itself saved the session, count it as a refresh."""
    if request is not None and hasattr(request, "session"):
        request.session[IdleSessionMiddleware.KEY] = int(time.time())


# URL names a user in onboarding may still reach.
ONBOARDING_ALLOWED = (
    "accounts:onboarding",
    "accounts:logout",
    "accounts:set_language",
    "health",
    # The installable portal's files hold no data; a redirect would break the worker's script.
    "manifest",
    "service_worker",
)


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
