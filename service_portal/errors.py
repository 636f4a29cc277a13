"""Errors: the domain error every app's refusals derive from, the one way views show it, and
the error pages in the reader's language (rendered without touching the database)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    """A refused action: translated text for the user and, when it concerns one, the form field.

    Services raise a subclass per app (``CallError``, ``QuoteError``...) for every refusal a user
    can correct (a precondition, a conflict, a bad value); views turn it into a form error or a
    message with ``show_error``. A wrong role or someone else's record is a ``RoleRefused``.
    ``messages`` holds one or more sentences, ``message`` (and ``str(error)``) all of them in
    one line.
    """

    def __init__(self, messages: StrOrPromise | Sequence[StrOrPromise], field: str | None = None):
        # One sentence (a str or a lazy translation) or a list of them.
        several = isinstance(messages, list | tuple)
        self.messages = [str(m) for m in messages] if several else [str(messages)]
        self.message = " ".join(self.messages)
        self.field = field
        super().__init__(self.message)


class RoleRefused(DomainError, PermissionDenied):
    """A refusal for who the user is (their role, or a record that is not theirs), never for the
    state of the record or the values given.

    Still a ``DomainError``, so a view that shows the domain error keeps showing its message;
    and a ``PermissionDenied``, so one that nobody catches is a 403. An app whose views and
    tests catch their own error class derives one refusal from both (``CallRoleRefused``).
    """


def show_error(request: HttpRequest, error: DomainError, form: Any = None) -> None:
    """How every view shows a refused action: on ``form`` when the page re-renders one (on the
    error's field when the form has it, else above the fields), otherwise as an error message
    on the next page."""
    if form is None:
        messages.error(request, error.message)
        return
    field = error.field if error.field in form.fields else None
    for text in error.messages:
        form.add_error(field, text)


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    # No RequestContext: an error page must render even when the database is what failed.
    return HttpResponse(loader.render_to_string(template), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400s; form fields past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (found while a form
    with files is read) are a 413 with the page that says what to do."""
    from django.core.exceptions import RequestDataTooBig

    from service_portal.request_size import too_large

    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return _render(request, "errors/400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/404.html", 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, "errors/500.html", 500)
