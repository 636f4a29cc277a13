"""Error pages in the reader's language, rendered without touching the database."""

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


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
